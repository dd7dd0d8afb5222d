package io.github.edgeprune.executor;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Starts DJL's PyTorch engine from the native jar on the class path (nothing is downloaded: the
 * {@code pytorch-native-cpu} jar for the platform must be there) and hands out managers.
 *
 * <p>Threads. PyTorch 2.7.1's CPU convolution backward with respect to the input (kernels larger
 * than 1x1, the slow_conv2d path DJL takes) does not give the same bits from one call to the
 * next when its OpenMP runtime has more than one thread: measured here, the same conv backward
 * on the same tensors gave up to 12 different input gradients in 30 calls with 2 threads, and one
 * with 1. {@code at::set_num_threads(1)} after start-up is not enough (it still varied); only
 * OpenMP's own thread count, read from {@code OMP_NUM_THREADS} when libgomp loads, is. So the
 * build JVM starts PyTorch with one thread unless {@code prune.threads} asks for more: seeded
 * training is then repeatable bit for bit, and for the models trained here one thread was not
 * slower (17.3 s vs 19.6 s for the same three short runs). The device agent measures latency
 * with every core ({@link #useAllCores()}); inference alone is repeatable with any thread count.
 */
public final class Engines {

    public static final String PYTORCH = "PyTorch";
    /** System property: PyTorch's intra-op thread count (default 1: repeatable training). */
    public static final String THREADS = "prune.threads";

    private static boolean configured;

    private Engines() {
    }

    /** A new root manager on the PyTorch engine; close it when done. */
    public static NDManager newManager() {
        configure();
        return NDManager.newBaseManager(PYTORCH);
    }

    /** Engine name and version, for reports. */
    public static String describe() {
        configure();
        Engine e = Engine.getEngine(PYTORCH);
        return "DJL " + Engine.getDjlVersion() + " / PyTorch " + e.getVersion() + ", " + threads() + " thread(s)";
    }

    /** For a process that measures speed rather than trains (the device agent): every core, unless set. */
    public static void useAllCores() {
        if (System.getProperty(THREADS) == null) {
            System.setProperty(THREADS, Integer.toString(Runtime.getRuntime().availableProcessors()));
        }
    }

    /** The intra-op thread count this process gives PyTorch (from {@code prune.threads}, default 1). */
    public static int threads() {
        String v = System.getProperty(THREADS);
        if (v == null || v.isBlank()) {
            return 1;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException(THREADS + " must be a whole number of threads (1 or more), got '" + v + "'");
    }

    private static synchronized void configure() {
        if (configured) {
            return;
        }
        // never reach out to the network for natives; the platform jar is a dependency
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        int n = threads();
        // before libtorch (and its libgomp) loads: OpenMP reads this once, at load
        setEnv("OMP_NUM_THREADS", Integer.toString(n));
        setEnv("MKL_NUM_THREADS", Integer.toString(n));
        // MKL's results can also depend on the alignment of the buffers it is given, which differs
        // from one allocation to the next in a long-running JVM: its conditional numerical
        // reproducibility mode keeps the fast code path and removes that dependence
        setEnv("MKL_CBWR", "AUTO,STRICT");
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        configured = true;
    }

    /** The process's own environment (Java's System.getenv is a copy; child processes keep theirs). */
    private static void setEnv(String name, String value) {
        if (Platform.isWindows()) {
            return; // no PyTorch native jar for Windows is shipped with the plugin
        }
        try {
            LibC.INSTANCE.setenv(name, value, 1);
        } catch (UnsatisfiedLinkError e) {
            // without libc access the OpenMP default stays; training is then not bit-repeatable
        }
    }

    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int setenv(String name, String value, int overwrite);
    }
}
