package io.github.edgeprune.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * What the agent reports, as JSON: which backend ran (and why the others did not), detections
 * per image in original pixels ({@code x1 y1 x2 y2 conf cls}), per-frame times in ms and the
 * agent's own peak resident memory. The build machine reads it back with Gson.
 */
public final class AgentResult {

    /** One backend the agent tried. */
    public record Selection(String backend, boolean ok, String reason) {
    }

    /** Detections of one image. */
    public record ImageResult(String file, float[][] detections) {
    }

    public String backend;
    public String runtime;
    public String java;
    public String arch;
    public String error;
    public int imgsz;
    public int warmup;
    public List<Selection> selection = new ArrayList<>();
    public List<ImageResult> images = new ArrayList<>();
    public List<Double> preprocessMs = new ArrayList<>();
    public List<Double> inferenceMs = new ArrayList<>();
    public List<Double> nmsMs = new ArrayList<>();
    public List<Double> frameMs = new ArrayList<>();
    public double vmHwmMb;

    public static AgentResult fromJson(String json) {
        return AgentMain.GSON.fromJson(json, AgentResult.class);
    }
}
