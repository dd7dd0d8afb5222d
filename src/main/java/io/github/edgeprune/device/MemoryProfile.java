package io.github.edgeprune.device;

import java.util.List;

/**
 * A process's memory over its run, sampled from {@code /proc/<pid>/status} the way
 * {@code pidstat -r 1} does. MB are MiB (1024 x 1024 bytes), as /proc's "kB" are KiB.
 *
 * @param series        VmRSS over time
 * @param peakMb        the peak resident memory: the larger of the highest VmRSS seen and the last
 *                      VmHWM (the kernel's own high-water mark, which also covers peaks between samples)
 * @param hwmMb         the last VmHWM read (0 when none was read)
 * @param deviceTotalMb MemTotal of the device, 0 when unknown
 */
public record MemoryProfile(List<MemorySample> series, double peakMb, double hwmMb, double deviceTotalMb) {

    public MemoryProfile {
        series = List.copyOf(series);
    }

    public static MemoryProfile empty(double deviceTotalMb) {
        return new MemoryProfile(List.of(), 0, 0, deviceTotalMb);
    }

    /** Peak as a percentage of the device's RAM, or NaN when the RAM is unknown. */
    public double peakPercent() {
        return deviceTotalMb > 0 ? 100.0 * peakMb / deviceTotalMb : Double.NaN;
    }

    /** The highest VmRSS sample. */
    public double maxSampledMb() {
        return series.stream().mapToDouble(MemorySample::rssMb).max().orElse(0);
    }

    /**
     * This profile with a peak the program measured itself (e.g. the agent reading its own VmHWM just
     * before it exits, which the 1 s sampling may miss); the larger peak wins.
     */
    public MemoryProfile withReportedPeak(double reportedPeakMb) {
        return new MemoryProfile(series, Math.max(peakMb, reportedPeakMb), hwmMb, deviceTotalMb);
    }
}
