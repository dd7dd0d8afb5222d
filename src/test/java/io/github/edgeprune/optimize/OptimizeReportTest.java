package io.github.edgeprune.optimize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.device.verify.LatencyStats;
import io.github.edgeprune.openvino.IrPrecision;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * optimize.html's chart and table from made-up measurements (no model runs): what headless Chromium
 * showed wrong before (bench/report-screenshot.sh, docs/optimize.md "Seen in a browser") stays fixed:
 * labels inside the chart and not on top of each other, round tick values, a small budget shown as
 * given, the failure message wrapped.
 */
class OptimizeReportTest {

    private static final Budgets IMPOSSIBLE = Budgets.builder().minMap50(0.1).maxLatencyMs(0.01).maxMemoryMb(1.0).build();

    @Test
    void everyChartLabelStaysInsideTheChart() throws Exception {
        // the slowest point sits at the right edge of the plot: its label must go to its left
        OptimizeJob.Outcome o = outcome(IMPOSSIBLE, measured(IrPrecision.INT8, 1, 0.777, 31.0, IMPOSSIBLE),
                measured(IrPrecision.FP16, 2, 0.770, 38.5, IMPOSSIBLE));
        Element svg = svg(o);
        for (Element t : texts(svg)) {
            double[] span = span(t);
            assertTrue(span[0] >= 0 && span[1] <= OptimizeReport.W, "'" + t.getTextContent() + "' spans " + span[0]
                    + ".." + span[1] + " of a " + OptimizeReport.W + " px chart");
        }
    }

    @Test
    void labelsOfNearbyPointsCoverNeitherEachOtherNorAPoint() throws Exception {
        Budgets loose = Budgets.builder().minMap50(0.1).build();
        OptimizeJob.Outcome o = outcome(loose, measured(IrPrecision.INT8, 1, 0.772, 20.0, loose),
                measured(IrPrecision.FP16, 2, 0.770, 20.3, loose), measured(IrPrecision.FP16, 3, 0.771, 20.1, loose, 0.9));
        Element svg = svg(o);
        List<Element> labels = texts(svg).stream().filter(t -> t.getAttribute("class").equals("label")).toList();
        assertEquals(3, labels.size());
        NodeList circles = svg.getElementsByTagName("circle");
        for (Element label : labels) {
            for (int i = 0; i < circles.getLength(); i++) {
                Element c = (Element) circles.item(i);
                double cx = Double.parseDouble(c.getAttribute("cx"));
                double cy = Double.parseDouble(c.getAttribute("cy"));
                double r = Double.parseDouble(c.getAttribute("r"));
                assertFalse(OptimizeReport.overlaps(box(label), new double[] {cx - r, cy - r, cx + r, cy + r}),
                        label.getTextContent() + " covers a point at " + cx + "," + cy);
            }
        }
        for (int i = 0; i < labels.size(); i++) {
            for (int j = i + 1; j < labels.size(); j++) {
                double[] a = box(labels.get(i));
                double[] b = box(labels.get(j));
                assertFalse(OptimizeReport.overlaps(a, b), labels.get(i).getTextContent() + " covers "
                        + labels.get(j).getTextContent());
            }
        }
    }

    @Test
    void ticksAreRoundAndEvenlySpaced() throws Exception {
        OptimizeJob.Outcome o = outcome(IMPOSSIBLE, measured(IrPrecision.INT8, 1, 0.777, 31.0, IMPOSSIBLE),
                measured(IrPrecision.FP16, 2, 0.770, 38.5, IMPOSSIBLE));
        Element ticks = (Element) svg(o).getElementsByTagName("g").item(2);
        assertEquals("ticks", ticks.getAttribute("class"));
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (Element t : texts(ticks)) {
            (t.getAttribute("text-anchor").equals("middle") ? xs : ys).add(Double.parseDouble(t.getTextContent()));
        }
        // 0.01 ms budget and 31..38.5 ms points: 0, 10, .. 50; 0.1 budget and ~0.77 mAP50: 0, 0.2, .. 1
        assertEquals(List.of(0.0, 10.0, 20.0, 30.0, 40.0, 50.0), xs);
        assertEquals(List.of(0.0, 0.2, 0.4, 0.6, 0.8, 1.0), ys);
    }

    @Test
    void aSmallBudgetIsLabelledAsGivenAndTheFailureWraps() {
        OptimizeJob.Outcome o = outcome(IMPOSSIBLE, measured(IrPrecision.INT8, 1, 0.777, 31.0, IMPOSSIBLE));
        String html = OptimizeReport.html(o, settings(IMPOSSIBLE));
        assertTrue(html.contains(">maxLatencyMs 0.01</text>"), "the 0.01 ms budget was labelled 0.0 before");
        assertTrue(html.contains(".banner pre{white-space:pre-wrap"), "the failure message ran off the page");
        assertEquals("0.01", OptimizeReport.budgetNumber(0.01));
        assertEquals("40", OptimizeReport.budgetNumber(40));
        assertEquals("100000", OptimizeReport.budgetNumber(100000));
        assertEquals("12.5", OptimizeReport.budgetNumber(12.5));
    }

    // ---------------------------------------------------------------- helpers

    private static CandidateResult measured(IrPrecision precision, int order, double map50, double medianMs, Budgets b) {
        return measured(precision, order, map50, medianMs, b, Double.NaN);
    }

    private static CandidateResult measured(IrPrecision precision, int order, double map50, double medianMs, Budgets b,
            double targetFlops) {
        CandidateResult r = new CandidateResult(new Candidate(targetFlops, precision, 256), 0.715);
        r.order = order;
        r.gflops = 0.715;
        r.parameters = 1_867_405;
        r.sizeBytes = precision == IrPrecision.INT8 ? 2_480_000 : 4_040_000;
        r.buildMap50 = map50;
        r.deviceMap50 = map50;
        r.deviceMap50_95 = 0.5;
        r.latency = LatencyStats.of(medianMs - 1, medianMs, medianMs + 1);
        r.latencyMs = r.latency.median();
        r.peakMemoryMb = 120;
        r.backend = "onnxruntime";
        r.budgets = b.check(map50, r.latency, r.peakMemoryMb);
        r.status = Budgets.allPassed(r.budgets) ? CandidateResult.Status.PASSED : CandidateResult.Status.FAILED;
        r.reason = "made up";
        return r;
    }

    private static OptimizeJob.Outcome outcome(Budgets b, CandidateResult... rs) {
        List<CandidateResult> all = List.of(rs);
        return new OptimizeJob.Outcome(all, null, null, null, OptimizeJob.closest(all, b), b, rs.length, 0, rs.length, 0,
                12.3, Map.of("cores", "2"), null);
    }

    private static OptimizeJob.Settings settings(Budgets b) {
        return new OptimizeJob.Settings("yolov5n.pt", Path.of("."), "coco128.yaml", "val", 4, Path.of("target/optimize"),
                null, List.of(new Candidate(Double.NaN, IrPrecision.FP16, 256)), 256, b, 4, 0.1,
                OptimizeJob.Device.local("auto", List.of()));
    }

    private static Element svg(OptimizeJob.Outcome o) throws Exception {
        String html = OptimizeReport.html(o, settings(o.budgets()));
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        return (Element) doc.getElementsByTagName("svg").item(0);
    }

    private static List<Element> texts(Element parent) {
        NodeList nl = parent.getElementsByTagName("text");
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nl.getLength(); i++) {
            Element t = (Element) nl.item(i);
            // the rotated y-axis title runs vertically; its x is not where it is drawn
            if (!t.hasAttribute("transform")) {
                out.add(t);
            }
        }
        return out;
    }

    /** Left and right end of a text, its width estimated as the report estimates it. */
    private static double[] span(Element t) {
        double x = Double.parseDouble(t.getAttribute("x"));
        double w = OptimizeReport.width(t.getTextContent());
        return switch (t.getAttribute("text-anchor")) {
            case "end" -> new double[] {x - w, x};
            case "middle" -> new double[] {x - w / 2, x + w / 2};
            default -> new double[] {x, x + w};
        };
    }

    private static double[] box(Element t) {
        double[] s = span(t);
        return OptimizeReport.box(s[0], Double.parseDouble(t.getAttribute("y")), s[1] - s[0]);
    }
}
