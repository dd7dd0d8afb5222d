package io.github.edgeprune.data;

/** Loads the OpenCV natives once. */
public final class OpenCv {

    private static volatile boolean loaded;

    private OpenCv() {
    }

    /**
     * OpenCV deletes its extracted natives in a JVM shutdown hook whose helper class it loads only
     * then. Inside Maven the plugin's class realm is closed by that time, so the hook would fail
     * with NoClassDefFoundError; loading the class now keeps the clean-up working.
     */
    private static void preloadShutdownHookClasses() {
        for (String name : new String[] {"nu.pattern.OpenCV$TemporaryDirectory$1", "nu.pattern.OpenCV$TemporaryDirectory$2"}) {
            try {
                Class.forName(name, true, OpenCv.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // another OpenCV build without these helpers: nothing to preload
            }
        }
    }

    public static void load() {
        if (!loaded) {
            synchronized (OpenCv.class) {
                if (!loaded) {
                    nu.pattern.OpenCV.loadLocally();
                    preloadShutdownHookClasses();
                    // One image is resized at a time on a worker thread while PyTorch runs on every
                    // core; OpenCV's own thread pool would only oversubscribe the CPU (and make
                    // PyTorch's spinning OpenMP threads wait for it).
                    org.opencv.core.Core.setNumThreads(1);
                    loaded = true;
                }
            }
        }
    }
}
