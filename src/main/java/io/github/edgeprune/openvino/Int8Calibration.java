package io.github.edgeprune.openvino;

import io.github.edgeprune.data.DataSet;
import io.github.edgeprune.data.Sample;
import io.github.edgeprune.quant.CalibrationMethod;
import io.github.edgeprune.quant.Int8Quantizer;
import io.github.edgeprune.util.Log;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the INT8 export calibrates on: the first {@code images} train images of a data yaml
 * (all of them when it has fewer), pre-processed as evaluate does.
 *
 * @param data the data yaml (relative to the base folder or absolute)
 * @param images how many train images (NNCF's default subset size is 300)
 * @param exclude convolutions kept in float, by layer name or module prefix
 */
public record Int8Calibration(String data, int images, CalibrationMethod method, List<String> exclude) {

    public static final int DEFAULT_IMAGES = 300;

    public Int8Calibration {
        if (data == null || data.isBlank()) {
            throw new IllegalArgumentException("prune.precision=INT8 needs calibration data: set prune.data to a data"
                    + " yaml (its train images calibrate the activation ranges)");
        }
        if (images < 1) {
            throw new IllegalArgumentException("prune.calibrationImages must be at least 1, got " + images);
        }
        exclude = exclude == null ? List.of() : exclude.stream().map(String::trim).filter(e -> !e.isEmpty()).toList();
    }

    /** The images and settings the quantizer takes. */
    Int8Quantizer.Settings resolve(Path baseDir, Log log) {
        Path yaml = baseDir.resolve(data).normalize();
        DataSet train = DataSet.load(yaml, "train");
        List<Path> chosen = new ArrayList<>();
        for (Sample sample : train.samples()) {
            if (chosen.size() == images) {
                break;
            }
            chosen.add(sample.image());
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException(yaml + ": the train split has no images to calibrate INT8 on");
        }
        if (chosen.size() < images) {
            log.info("INT8 calibration: " + yaml.getFileName() + " has " + chosen.size() + " train images (fewer than "
                    + images + "); using all of them");
        }
        return new Int8Quantizer.Settings(chosen, method, exclude);
    }

    /**
     * What the export's fingerprint takes from calibration: the settings and every calibration
     * image's name, size and modification time (hashing hundreds of images on every build would
     * cost more than it saves).
     */
    Map<String, String> fingerprintSettings(Int8Quantizer.Settings resolved) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("int8.data", data);
        m.put("int8.images", Integer.toString(images));
        m.put("int8.calibration", method.id());
        m.put("int8.exclude", String.join(",", exclude));
        StringBuilder files = new StringBuilder();
        for (Path p : resolved.calibrationImages()) {
            try {
                files.append(p).append(':').append(Files.size(p)).append(':')
                        .append(Files.getLastModifiedTime(p).toMillis()).append(';');
            } catch (IOException e) {
                throw new UncheckedIOException(p + ": cannot read the calibration image: " + e.getMessage(), e);
            }
        }
        m.put("int8.files", io.github.edgeprune.util.Fingerprint.of(List.of(), Map.of("images", files.toString())) + "/"
                + resolved.calibrationImages().size());
        return m;
    }
}
