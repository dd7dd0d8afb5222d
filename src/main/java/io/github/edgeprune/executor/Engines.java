package io.github.edgeprune.executor;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * Starts DJL's PyTorch engine from the native jar on the class path (nothing is downloaded: the
 * {@code pytorch-native-cpu} jar for the platform must be there) and hands out managers.
 */
public final class Engines {

    public static final String PYTORCH = "PyTorch";

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
        return "DJL " + Engine.getDjlVersion() + " / PyTorch " + e.getVersion();
    }

    private static synchronized void configure() {
        // never reach out to the network for natives; the platform jar is a dependency
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        // Tell PyTorch how many threads to use when the user asked for a number
        String threads = System.getProperty("prune.threads");
        if (threads != null && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", threads);
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }
}
