package io.github.edgeprune.data;

import io.github.edgeprune.util.YamlProblem;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * An Ultralytics data yaml: {@code path}, {@code train}, {@code val}, {@code test}, {@code nc},
 * {@code names}. {@code path} is taken relative to the yaml's folder (the folder itself when
 * absent); each split is relative to {@code path} and may be a folder, a {@code .txt} file listing
 * images, or a list of those. {@code names} may be a list or a {@code {index: name}} map; when
 * both {@code nc} and {@code names} are given they must agree.
 */
public final class DataYaml {

    public static final List<String> SPLITS = List.of("train", "val", "test");

    private final Path file;
    private final Path root;
    private final List<String> names;
    private final Map<String, List<Path>> splits;

    private DataYaml(Path file, Path root, List<String> names, Map<String, List<Path>> splits) {
        this.file = file;
        this.root = root;
        this.names = List.copyOf(names);
        this.splits = splits;
    }

    /** Reads and checks a data yaml; every error names the file. */
    public static DataYaml read(Path yaml) {
        Path file = yaml.toAbsolutePath().normalize();
        Object doc;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (NoSuchFileException e) {
            throw new DataSetException(file + ": data yaml does not exist");
        } catch (IOException e) {
            throw new DataSetException(file + ": cannot read data yaml: " + e.getMessage(), e);
        } catch (YAMLException e) {
            throw new DataSetException(file + ": malformed yaml at " + YamlProblem.describe(e), e);
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new DataSetException(file + ": malformed data yaml: expected a mapping with train/val/nc/names, got "
                    + (doc == null ? "an empty file" : doc.getClass().getSimpleName()));
        }

        Path folder = file.getParent();
        Object pathValue = map.get("path");
        Path root = folder;
        if (pathValue != null) {
            if (!(pathValue instanceof String s)) {
                throw new DataSetException(file + ": 'path' must be a string, got " + pathValue);
            }
            root = folder.resolve(s).normalize();
        }

        List<String> names = names(file, map.get("names"), map.get("nc"));

        Map<String, List<Path>> splits = new LinkedHashMap<>();
        for (String split : SPLITS) {
            Object v = map.get(split);
            if (v == null) {
                continue;
            }
            List<Path> sources = new ArrayList<>();
            if (v instanceof String s) {
                sources.add(resolveSplit(root, s));
            } else if (v instanceof List<?> list) {
                for (Object o : list) {
                    if (!(o instanceof String s)) {
                        throw new DataSetException(file + ": '" + split + "' entries must be strings, got " + o);
                    }
                    sources.add(root.resolve(s).normalize());
                }
            } else {
                throw new DataSetException(file + ": '" + split + "' must be a folder, a .txt file or a list of them, got " + v);
            }
            splits.put(split, List.copyOf(sources));
        }
        return new DataYaml(file, root, names, splits);
    }

    /** As Ultralytics: a missing "../x" relative to path is tried as "x" relative to path. */
    private static Path resolveSplit(Path root, String s) {
        Path p = root.resolve(s).normalize();
        if (!Files.exists(p) && s.startsWith("../")) {
            Path alt = root.resolve(s.substring(3)).normalize();
            if (Files.exists(alt)) {
                return alt;
            }
        }
        return p;
    }

    private static List<String> names(Path file, Object namesValue, Object ncValue) {
        Integer nc = null;
        if (ncValue != null) {
            if (!(ncValue instanceof Integer i) || i < 1) {
                throw new DataSetException(file + ": 'nc' must be a positive integer, got " + ncValue);
            }
            nc = i;
        }
        List<String> names = new ArrayList<>();
        if (namesValue == null) {
            if (nc == null) {
                throw new DataSetException(file + ": neither 'names' nor 'nc' is given");
            }
            for (int i = 0; i < nc; i++) {
                names.add("class" + i);
            }
            return names;
        }
        if (namesValue instanceof List<?> list) {
            for (Object o : list) {
                names.add(String.valueOf(o));
            }
        } else if (namesValue instanceof Map<?, ?> m) {
            TreeMap<Integer, String> byIndex = new TreeMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof Integer k)) {
                    throw new DataSetException(file + ": 'names' keys must be integers, got '" + e.getKey() + "'");
                }
                byIndex.put(k, String.valueOf(e.getValue()));
            }
            int expect = 0;
            for (Map.Entry<Integer, String> e : byIndex.entrySet()) {
                if (e.getKey() != expect) {
                    throw new DataSetException(file + ": 'names' keys must be 0.." + (byIndex.size() - 1)
                            + " without gaps, found " + byIndex.keySet());
                }
                names.add(e.getValue());
                expect++;
            }
        } else {
            throw new DataSetException(file + ": 'names' must be a list or a {index: name} mapping, got " + namesValue);
        }
        if (names.isEmpty()) {
            throw new DataSetException(file + ": 'names' is empty");
        }
        if (nc != null && nc != names.size()) {
            throw new DataSetException(file + ": nc is " + nc + " but names has " + names.size() + " entries");
        }
        return names;
    }

    public Path file() {
        return file;
    }

    /** The data set root ({@code path} resolved). */
    public Path root() {
        return root;
    }

    public List<String> names() {
        return names;
    }

    public int nc() {
        return names.size();
    }

    /** The folders and list files of a split, resolved; fails naming the yaml if the split is absent. */
    public List<Path> sources(String split) {
        List<Path> s = splits.get(split);
        if (s == null) {
            throw new DataSetException(file + ": no '" + split + "' split (the yaml has "
                    + (splits.isEmpty() ? "none" : String.join(", ", splits.keySet())) + ")");
        }
        return s;
    }
}
