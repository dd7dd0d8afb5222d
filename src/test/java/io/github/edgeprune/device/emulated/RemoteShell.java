package io.github.edgeprune.device.emulated;

import java.io.IOException;

/**
 * Runs a shell command on a device and returns what it printed; the end-to-end test uses
 * {@link OpenSshShell} (the OpenSSH client), independent of the plugin's own SSH client.
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
