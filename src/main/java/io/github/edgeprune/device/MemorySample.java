package io.github.edgeprune.device;

/**
 * One reading of a process's resident memory.
 *
 * @param seconds time since the process started, in seconds
 * @param rssMb   VmRSS in MB (MiB)
 */
public record MemorySample(double seconds, double rssMb) {
}
