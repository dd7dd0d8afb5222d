package io.github.edgeprune.device.emulated;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Mount points as the kernel lists them in {@code /proc/self/mountinfo}, and unmounting them. */
final class Mounts {

    static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private Mounts() {
    }

    /** Mount points at or below {@code dir}, in the order they were mounted. */
    static List<Path> under(Path dir) {
        try {
            return under(dir, Files.readAllLines(MOUNTINFO));
        } catch (IOException e) {
            return List.of();
        }
    }

    static List<Path> under(Path dir, List<String> mountinfo) {
        Path base = dir.toAbsolutePath().normalize();
        List<Path> out = new ArrayList<>();
        for (String line : mountinfo) {
            String[] f = line.split(" ");
            if (f.length < 5) {
                continue;
            }
            Path mountPoint = Path.of(unescape(f[4]));
            if (mountPoint.startsWith(base)) {
                out.add(mountPoint);
            }
        }
        return out;
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes ({@code \040}). */
    static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    static boolean isMountPoint(Path p) {
        return under(p).contains(p.toAbsolutePath().normalize());
    }

    /**
     * Unmounts everything at or below {@code dir}, innermost first; a mount that is busy is
     * detached lazily ({@code umount -l}) so it disappears from the tree at once. Returns what
     * is still mounted afterwards (normally nothing).
     */
    static List<Path> unmountAll(Path dir, List<String> problems) {
        for (int round = 0; round < 3; round++) {
            List<Path> mounted = under(dir);
            if (mounted.isEmpty()) {
                return List.of();
            }
            for (int i = mounted.size() - 1; i >= 0; i--) {
                Path m = mounted.get(i);
                Commands.Result r = Commands.capture(List.of("umount", m.toString()), null, Duration.ofSeconds(30));
                if (!r.ok() && isMountPoint(m)) {
                    Commands.Result lazy = Commands.capture(List.of("umount", "-l", m.toString()), null, Duration.ofSeconds(30));
                    if (!lazy.ok() && isMountPoint(m)) {
                        problems.add("could not unmount " + m + ": " + r.output().trim() + " / " + lazy.output().trim());
                    }
                }
            }
        }
        return under(dir);
    }
}
