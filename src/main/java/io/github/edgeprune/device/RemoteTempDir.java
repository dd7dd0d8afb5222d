package io.github.edgeprune.device;

/**
 * A per-run folder on the device ({@code mktemp -d}); closing it removes it and everything in it.
 * Use it in try-with-resources so it also goes away when the run fails.
 */
public final class RemoteTempDir implements AutoCloseable {

    private final AbstractDevice device;
    private final String path;
    private boolean closed;

    RemoteTempDir(AbstractDevice device, String path) {
        this.device = device;
        this.path = path;
    }

    /** Absolute path on the device. */
    public String path() {
        return path;
    }

    /** {@code path()/name}. */
    public String resolve(String name) {
        return path + "/" + name;
    }

    /** Removes the folder; failures are logged, not thrown (this often runs while another error is on its way). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            ExecResult r = device.run("rm -rf -- " + Shell.quote(path));
            if (!r.succeeded()) {
                device.log().warn("could not remove " + path + " on " + device.name() + ": " + r.outputTail(3));
            }
        } catch (DeviceException e) {
            device.log().warn("could not remove " + path + " on " + device.name() + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return path;
    }
}
