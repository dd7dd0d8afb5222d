package io.github.edgeprune.optimize;

import io.github.edgeprune.openvino.IrPrecision;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The candidates {@code prune.candidates} names, at every size of {@code prune.imgszChoices}.
 *
 * <ul>
 *   <li>{@code auto} (default): the dense model and a channel cut at each of
 *       {@code prune.targetFlopsChoices}, each in FP16 and in INT8;
 *   <li>a comma-separated list of recipes, each {@code <cut>-<precision>} with cut {@code dense} or
 *       {@code flops<fraction>} (a channel cut), {@code static} or {@code dynamic} (the paper's L1 pruning) and precision {@code fp16}, {@code fp32} or {@code int8}: {@code dense-fp16,flops0.8-int8}.
 * </ul>
 * Every value is checked here, before anything is built; a bad one is named with its property.
 */
public final class SearchSpace {

    public static final String AUTO = "auto";
    public static final String PAPER = "paper";
    public static final List<Double> DEFAULT_TARGET_FLOPS = List.of(0.9, 0.75);

    private SearchSpace() {
    }

    /**
     * @param candidates the value of prune.candidates (null or blank: auto)
     * @param imgszChoices the value of prune.imgszChoices (null or blank: only {@code imgsz})
     * @param targetFlopsChoices the value of prune.targetFlopsChoices (null or blank: 0.9, 0.75)
     * @param imgsz prune.imgsz
     */
    public static List<Candidate> parse(String candidates, String imgszChoices, String targetFlopsChoices, int imgsz) {
        return parse(candidates, imgszChoices, targetFlopsChoices, imgsz, 0);
    }

    /**
     * @param fineTuneEpochs prune.fineTuneEpochs: every channel cut is trained this many epochs on the
     *     data's train split before export (0: none)
     */
    public static List<Candidate> parse(String candidates, String imgszChoices, String targetFlopsChoices, int imgsz,
            int fineTuneEpochs) {
        if (fineTuneEpochs < 0) {
            throw new OptimizeException("prune.fineTuneEpochs must be 0 (no fine-tuning) or more, got " + fineTuneEpochs);
        }
        List<Integer> sizes = imgszChoices(imgszChoices, imgsz);
        String spec = candidates == null || candidates.isBlank() ? AUTO : candidates.strip().toLowerCase(Locale.ROOT);
        List<String[]> recipes = new ArrayList<>(); // {cut, precision}
        if (spec.equals(AUTO)) {
            List<Double> flops = targetFlops(targetFlopsChoices);
            for (String p : List.of("fp16", "int8")) {
                recipes.add(new String[] {"dense", p});
                for (double f : flops) {
                    recipes.add(new String[] {"flops" + f, p});
                }
            }
        } else if (spec.equals(PAPER)) {
            // the study is not a search: the goal hands it to optimize.paper.PaperStudy before parsing
            throw new OptimizeException("prune.candidates=paper is the paper's study (PaperStudy), not a search space:"
                    + " it has no candidates to list");
        } else {
            for (String token : spec.split(",")) {
                String t = token.strip();
                int dash = t.lastIndexOf('-');
                if (t.isEmpty() || dash <= 0) {
                    throw unknown(t, candidates);
                }
                recipes.add(new String[] {t.substring(0, dash), t.substring(dash + 1)});
            }
        }
        Set<String> seen = new LinkedHashSet<>();
        List<Candidate> out = new ArrayList<>();
        for (int size : sizes) {
            for (String[] r : recipes) {
                Candidate.Unstructured how = unstructured(r[0]);
                if (how == Candidate.Unstructured.DYNAMIC && fineTuneEpochs < 1) {
                    throw new OptimizeException("prune.candidates: " + r[0] + "-" + r[1] + " prunes while it trains: set"
                            + " prune.fineTuneEpochs to at least 1 (the paper re-prunes after every epoch)");
                }
                Candidate c = new Candidate(how == Candidate.Unstructured.NONE ? cut(r[0], candidates) : Double.NaN,
                        precision(r[1], candidates), size, fineTuneEpochs, how);
                if (seen.add(c.id())) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    static List<Integer> imgszChoices(String text, int imgsz) {
        if (text == null || text.isBlank()) {
            if (imgsz < 32 || imgsz % 32 != 0) {
                throw new OptimizeException("prune.imgsz must be a positive multiple of 32, got " + imgsz);
            }
            return List.of(imgsz);
        }
        List<Integer> out = new ArrayList<>();
        for (String t : text.split(",")) {
            int v;
            try {
                v = Integer.parseInt(t.strip());
            } catch (NumberFormatException e) {
                throw new OptimizeException("prune.imgszChoices must be comma-separated multiples of 32 (e.g. 320,416,640),"
                        + " got '" + t.strip() + "' in '" + text + "'");
            }
            if (v < 32 || v % 32 != 0) {
                throw new OptimizeException("prune.imgszChoices: every size must be a positive multiple of 32 (the model's"
                        + " largest stride), got " + v + " in '" + text + "'");
            }
            if (!out.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }

    static List<Double> targetFlops(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_TARGET_FLOPS;
        }
        List<Double> out = new ArrayList<>();
        for (String t : text.split(",")) {
            out.add(fraction(t.strip(), "prune.targetFlopsChoices", text));
        }
        return out;
    }

    private static double fraction(String t, String property, String whole) {
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!(v > 0 && v < 1)) {
            throw new OptimizeException(property + ": a channel cut keeps a fraction of the GFLOPs in (0, 1), e.g. 0.8,"
                    + " got '" + t + "' in '" + whole + "'");
        }
        return v;
    }

    /** {@code static} and {@code dynamic}: the paper's L1 pruning of the weights. */
    private static Candidate.Unstructured unstructured(String cut) {
        return switch (cut) {
            case "static" -> Candidate.Unstructured.STATIC;
            case "dynamic" -> Candidate.Unstructured.DYNAMIC;
            default -> Candidate.Unstructured.NONE;
        };
    }

    private static double cut(String cut, String whole) {
        if (cut.equals("dense")) {
            return Double.NaN;
        }
        if (cut.startsWith("flops")) {
            return fraction(cut.substring("flops".length()), "prune.candidates", whole);
        }
        throw unknown(cut, whole);
    }

    private static IrPrecision precision(String p, String whole) {
        return switch (p) {
            case "fp16" -> IrPrecision.FP16;
            case "fp32" -> IrPrecision.FP32;
            case "int8" -> IrPrecision.INT8;
            default -> throw new OptimizeException("prune.candidates: unknown precision '" + p + "' in '" + whole
                    + "'; candidates are FP16, FP32 or INT8 (fp16, fp32, int8)");
        };
    }

    private static OptimizeException unknown(String token, String whole) {
        return new OptimizeException("prune.candidates: unknown keyword or recipe '" + token + "' in '" + whole
                + "'; use auto, paper, or a comma-separated list of <cut>-<precision> with cut dense, flops<fraction>,"
                + " static or dynamic and precision fp16, fp32 or int8, e.g. dense-fp16,flops0.8-int8");
    }
}
