package io.github.edgeprune.device.emulated;

import java.io.IOException;

/**
 * Runs a shell command on a device and returns what it printed. The emulated device ships
 * {@link OpenSshShell} (the OpenSSH client); the project's SSH client can implement this too,
 * so {@link DeviceFacts#read} works on real and emulated devices alike.
 */
@FunctionalInterface
public interface RemoteShell {

    Result run(String command) throws IOException;

    /** Exit status and output of a remote command. */
    record Result(int exitCode, String stdout, String stderr) {

        public boolean ok() {
            return exitCode == 0;
        }
    }
}
