package io.github.edgeprune.util;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** This plugin's version, from a resource Maven filters at build time. */
public final class PluginVersion {

    private static final String VERSION = load();

    private PluginVersion() {
    }

    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = PluginVersion.class.getResourceAsStream("/io/github/edgeprune/version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
