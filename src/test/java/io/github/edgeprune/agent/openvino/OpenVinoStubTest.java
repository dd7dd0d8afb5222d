package io.github.edgeprune.agent.openvino;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

import io.github.edgeprune.tensor.HostTensor;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The binding against a small C stand-in for libopenvino_c (src/test/resources/.../ov_stub.c),
 * compiled here with the system C compiler: proves the JNA mappings (by-value ov_shape_t,
 * variadic compile, size_t, out-pointers, freeing runtime strings) without OpenVINO.
 */
class OpenVinoStubTest {

    @TempDir
    static Path tmp;

    static Path oldEnumLib;
    static Path newEnumLib;

    @BeforeAll
    static void compileStubs() throws Exception {
        String cc = Files.isExecutable(Path.of("/usr/bin/cc")) ? "/usr/bin/cc"
                : Files.isExecutable(Path.of("/usr/bin/gcc")) ? "/usr/bin/gcc" : null;
        Assumptions.assumeTrue(cc != null, "no C compiler (/usr/bin/cc or gcc) to build the OpenVINO stand-in; skipping");
        Path src = tmp.resolve("ov_stub.c");
        try (InputStream in = OpenVinoStubTest.class.getResourceAsStream("ov_stub.c")) {
            Files.copy(in, src);
        }
        oldEnumLib = build(cc, src, tmp.resolve("old/libopenvino_c.so"));
        newEnumLib = build(cc, src, tmp.resolve("new/libopenvino_c.so.2099.1.0"), "-DSTUB_NEW_ENUM");
    }

    private static Path build(String cc, Path src, Path out, String... defines) throws Exception {
        Files.createDirectories(out.getParent());
        // -Bsymbolic: both stubs define the same symbols and JNA loads them RTLD_GLOBAL; each must call its own
        String[] cmd = new String[8 + defines.length];
        cmd[0] = cc;
        cmd[1] = "-shared";
        cmd[2] = "-fPIC";
        cmd[3] = "-O1";
        cmd[4] = "-Wl,-Bsymbolic";
        System.arraycopy(defines, 0, cmd, 5, defines.length);
        cmd[5 + defines.length] = "-o";
        cmd[6 + defines.length] = out.toString();
        cmd[7 + defines.length] = src.toString();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), log);
        return out;
    }

    @AfterAll
    static void nothingLeaked() {
        // every test closes what it opens; the stub counts live handles and strings
        for (Path lib : new Path[] {oldEnumLib, newEnumLib}) {
            if (lib != null) {
                assertEquals(0, counter(lib, "stub_live_objects"), "handles leaked in " + lib);
                assertEquals(0, counter(lib, "stub_live_strings"), "strings leaked in " + lib);
            }
        }
    }

    static int counter(Path lib, String name) {
        Function f = NativeLibrary.getInstance(lib.toString()).getFunction(name);
        return f.invokeInt(new Object[0]);
    }

    @Test
    void versionAndElementTypeCode() {
        try (OpenVinoRuntime rt = OpenVinoRuntime.load(oldEnumLib)) {
            assertEquals("2099.1.0-stub", rt.version());
            assertEquals(5, rt.f32Code());
        }
        try (OpenVinoRuntime rt = OpenVinoRuntime.load(newEnumLib)) {
            assertEquals(4, rt.f32Code(), "f32 is 4 where the enum starts at DYNAMIC");
        }
    }

    @Test
    void compilesAndInfersThroughTheCApi() throws Exception {
        for (Path lib : new Path[] {oldEnumLib, newEnumLib}) {
            Path xml = Files.writeString(tmp.resolve("m.xml"), "<net/>");
            Path bin = Files.write(tmp.resolve("m.bin"), new byte[4]);
            try (OpenVinoRuntime rt = OpenVinoRuntime.load(lib);
                 CompiledModel model = rt.compile(xml, bin, "CPU");
                 InferRequest req = model.createInferRequest()) {
                assertEquals(0, counter(lib, "stub_last_property_args"), "no properties passed to the variadic call");
                assertEquals(1, model.inputs());
                assertEquals(1, model.outputs());
                long[] shape = model.inputShape(0);
                assertArrayEquals(new long[] {1, 3, 32, 48}, shape);
                float[] x = new float[3 * 32 * 48];
                for (int i = 0; i < x.length; i++) {
                    x[i] = i / 1000f;
                }
                HostTensor y = req.infer(HostTensor.ofFloats(x, shape));
                assertArrayEquals(shape, y.shape());
                assertEquals(2 * x[4607], y.floats()[4607]);
                assertEquals(2 * x[17], y.floats()[17]);
                // a second frame of the same shape reuses the input buffer
                Arrays.fill(x, 0.25f);
                HostTensor y2 = req.infer(HostTensor.ofFloats(x, shape));
                assertEquals(0.5f, y2.floats()[100]);
                // a different shape makes a new input tensor
                HostTensor y3 = req.infer(HostTensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 1, 3, 2, 1));
                assertArrayEquals(new long[] {1, 3, 2, 1}, y3.shape());
                assertArrayEquals(new float[] {2, 4, 6, 8, 10, 12}, y3.floats());
            }
            assertEquals(0, counter(lib, "stub_live_objects"), "all handles freed for " + lib);
        }
    }

    @Test
    void failuresCarryTheFunctionStatusAndRuntimeMessage() {
        try (OpenVinoRuntime rt = OpenVinoRuntime.load(oldEnumLib)) {
            OpenVinoException e = assertThrows(OpenVinoException.class,
                    () -> rt.compile(tmp.resolve("missing.xml"), tmp.resolve("missing.bin"), "CPU"));
            System.out.println("[openvino stub] " + e.getMessage());
            assertEquals("ov_core_read_model", e.function());
            assertEquals(-1, e.status());
            assertEquals("Model file " + tmp.resolve("missing.xml") + " cannot be opened!", e.runtimeMessage());
            assertTrue(e.getMessage().startsWith("ov_core_read_model failed with GENERAL_ERROR (-1"), e.getMessage());
            assertEquals(0, counter(oldEnumLib, "stub_live_strings"), "the error text was given back with ov_free");
        }
    }

    @Test
    void anUnknownDeviceIsReportedByTheCompileCall() throws Exception {
        Path xml = Files.writeString(tmp.resolve("d.xml"), "<net/>");
        try (OpenVinoRuntime rt = OpenVinoRuntime.load(oldEnumLib)) {
            OpenVinoException e = assertThrows(OpenVinoException.class, () -> rt.compile(xml, null, "NPU"));
            assertEquals("ov_core_compile_model", e.function());
            assertTrue(e.getMessage().contains("Device with \"NPU\" name is not registered"), e.getMessage());
        }
        assertEquals(0, counter(oldEnumLib, "stub_live_objects"), "the model is freed when compiling fails");
    }

    @Test
    void probeFindsAndLoadsTheLibrary() {
        OpenVinoLibrary.Availability a = OpenVinoLibrary.probe(newEnumLib.getParent().toString());
        assertTrue(a.available(), a.reason());
        assertEquals(newEnumLib, a.library());
        assertEquals("2099.1.0-stub", a.version());
    }
}
