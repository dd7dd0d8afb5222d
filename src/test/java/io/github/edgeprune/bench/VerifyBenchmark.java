package io.github.edgeprune.bench;

import io.github.edgeprune.device.SshdServer;
import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.device.verify.VerifyJob;
import io.github.edgeprune.eval.EvalSettings;
import io.github.edgeprune.eval.EvaluateJob;
import io.github.edgeprune.eval.EvaluationResult;
import io.github.edgeprune.openvino.ExportJob;
import io.github.edgeprune.openvino.IrPrecision;
import io.github.edgeprune.testing.AgentClassPath;
import io.github.edgeprune.util.Log;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * bench/verify.sh: verify-on-device over SSH to this machine (Debian's sshd on loopback with
 * throw-away keys, as the tests start it), djl backend, the FP16 IR of a model on a data set's
 * validation images one at a time; prints latency and memory, and compares the device's mAP50
 * with evaluate of the same IR here. Arguments: model data imgsz backend.
 */
public final class VerifyBenchmark {

    private VerifyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("edgeprune-verify-bench");
        int imgsz = Integer.parseInt(args[2]);
        ExportJob.Result exported = ExportJob.run(new ExportJob.Settings(args[0], Path.of("."), tmp.resolve("ir"), null,
                imgsz, IrPrecision.FP16, true), Log.silent());
        Path ir = exported.ir().xml();
        EvaluationResult here = EvaluateJob.run(new EvaluateJob.Settings(ir.toString(), args[1], Path.of("."),
                tmp.resolve("eval"), EvalSettings.defaults().withImgsz(imgsz), false, false, false, "val", 0), Log.silent());
        try (SshdServer sshd = SshdServer.start(Files.createDirectories(tmp.resolve("sshd")))) {
            List<Path> cp = AgentClassPath.jarsOnly(tmp);
            VerifyJob.Outcome out = VerifyJob.run(new VerifyJob.Settings(ir, exported.onnx(), Path.of(args[1]), "val", 0,
                    sshd.settings(sshd.writeKnownHosts(tmp.resolve("known_hosts"))).build(), args[3], 10, 0,
                    Budgets.builder().build(), tmp.resolve("reports"), arch -> cp, null, "java", List.of(),
                    Duration.ofMinutes(60), false, Map.of()), Log.console());
            System.out.printf("evaluate of the same IR here: mAP50 %.4f mAP50-95 %.4f; on the device: mAP50 %.4f mAP50-95"
                    + " %.4f%n", here.map50(), here.map50_95(), out.report().map50(), out.report().map50_95());
            System.out.println("inference ms: " + out.report().latency());
            System.out.println("frame ms:     " + out.report().frame());
            System.out.printf("peak memory %.1f MB (%.2f %% of %.0f MB), %d samples%n", out.report().memory().peakMb(),
                    out.report().memory().peakPercent(), out.report().memory().deviceTotalMb(),
                    out.report().memory().series().size());
            System.out.println("report: " + out.files().html());
        }
    }
}
