package io.github.edgeprune.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Finding images and their label files the way Ultralytics' data loader does. */
public final class ImageFiles {

    /** Ultralytics' image suffixes (lower case, without the dot). */
    public static final Set<String> IMAGE_EXTENSIONS =
            Set.of("bmp", "dng", "jpeg", "jpg", "mpo", "png", "tif", "tiff", "webp", "pfm");

    private ImageFiles() {
    }

    public static boolean isImage(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot >= 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * The images of a split: every image file under each folder (recursively, hidden files and
     * folders left out as glob does) and every image named in each {@code .txt} list (a relative
     * entry is taken relative to the list's folder), all sorted by path. Sources that do not exist
     * are added to {@code problems}.
     */
    public static List<Path> list(List<Path> sources, List<String> problems) {
        List<String> files = new ArrayList<>();
        for (Path source : sources) {
            if (Files.isDirectory(source)) {
                walk(source, files);
            } else if (Files.isRegularFile(source)) {
                readList(source, files, problems);
            } else {
                problems.add(source + ": does not exist");
            }
        }
        List<Path> images = new ArrayList<>();
        files.sort(null); // Python sorts the path strings
        for (String f : files) {
            Path p = Path.of(f);
            if (isImage(p)) {
                images.add(p);
            }
        }
        return images;
    }

    private static void walk(Path folder, List<String> out) {
        try {
            Files.walkFileTree(folder, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return !dir.equals(folder) && hidden(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && !hidden(file)) {
                        out.add(file.toAbsolutePath().normalize().toString());
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    private static boolean hidden(Path p) {
        return p.getFileName() != null && p.getFileName().toString().startsWith(".");
    }

    private static void readList(Path list, List<String> out, List<String> problems) {
        List<String> lines;
        try {
            lines = List.of(Files.readString(list, StandardCharsets.UTF_8).strip().split("\\R"));
        } catch (IOException e) {
            problems.add(list + ": cannot read image list: " + e.getMessage());
            return;
        }
        Path parent = list.toAbsolutePath().getParent();
        for (String line : lines) {
            String entry = line.strip();
            if (entry.isEmpty()) {
                continue;
            }
            out.add(parent.resolve(entry).normalize().toString());
        }
    }

    /**
     * The label file of an image: the last {@code /images/} in the path becomes {@code /labels/}
     * and the extension {@code .txt}.
     */
    public static Path labelFor(Path image) {
        String s = image.toString();
        String sep = image.getFileSystem().getSeparator();
        String from = sep + "images" + sep;
        int i = s.lastIndexOf(from);
        if (i >= 0) {
            s = s.substring(0, i) + sep + "labels" + sep + s.substring(i + from.length());
        }
        int dot = s.lastIndexOf('.');
        int slash = s.lastIndexOf(sep);
        if (dot > slash) {
            s = s.substring(0, dot);
        }
        return Path.of(s + ".txt");
    }
}
