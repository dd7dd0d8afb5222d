package io.github.edgeprune.agent.openvino;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.NativeLongByReference;
import com.sun.jna.ptr.PointerByReference;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An OpenVINO core ({@code ov_core_t}) over a loaded {@code libopenvino_c}. Read and compile a model
 * with {@link #compile}; close it when done. Not thread-safe.
 */
public final class OpenVinoRuntime implements AutoCloseable {

    private final Path library;
    final OpenVinoC api;
    private Pointer core;
    private final int f32;

    private OpenVinoRuntime(Path library, OpenVinoC api) {
        this.library = library;
        this.api = api;
        PointerByReference ref = new PointerByReference();
        check("ov_core_create", api.ov_core_create(ref));
        this.core = ref.getValue();
        this.f32 = probeF32();
    }

    /**
     * Loads the library at {@code library} (its sibling {@code libopenvino.so*} first, so the C
     * wrapper finds the core library even without RPATH) and creates a core.
     */
    public static OpenVinoRuntime load(Path library) {
        preloadSiblings(library);
        OpenVinoC api;
        try {
            api = Native.load(library.toAbsolutePath().toString(), OpenVinoC.class);
        } catch (UnsatisfiedLinkError e) {
            throw new OpenVinoException("cannot load " + library + ": " + e.getMessage()
                    + OpenVinoLibrary.loadHint(e.getMessage()), e);
        }
        return new OpenVinoRuntime(library, api);
    }

    private static void preloadSiblings(Path library) {
        Path dir = library.toAbsolutePath().getParent();
        if (dir == null) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "libopenvino.so*")) {
            for (Path p : ds) {
                try {
                    NativeLibrary.getInstance(p.toString());
                    return;
                } catch (UnsatisfiedLinkError ignored) {
                    // the C library's own loading will say what is missing
                }
            }
        } catch (IOException ignored) {
            // no siblings to help with
        }
    }

    public Path library() {
        return library;
    }

    /** The runtime's build number, e.g. "2024.4.0-16579-c3152d32c9c-releases/2024/4". */
    public String version() {
        OvVersion v = new OvVersion();
        check("ov_get_openvino_version", api.ov_get_openvino_version(v));
        try {
            v.read();
            return v.build();
        } finally {
            api.ov_version_free(v);
        }
    }

    /** The code of f32 in this runtime's {@code ov_element_type_e} (it moved when UNDEFINED was dropped). */
    int f32Code() {
        return f32;
    }

    /**
     * Reads an IR ({@code .xml} + {@code .bin}) and compiles it for {@code device} ("CPU").
     */
    public CompiledModel compile(Path xml, Path bin, String device) {
        requireOpen();
        PointerByReference model = new PointerByReference();
        check("ov_core_read_model", api.ov_core_read_model(core, xml.toString(), bin == null ? null : bin.toString(), model));
        try {
            PointerByReference compiled = new PointerByReference();
            check("ov_core_compile_model", api.ov_core_compile_model(core, model.getValue(), device, new NativeLong(0), compiled));
            return new CompiledModel(this, compiled.getValue());
        } finally {
            api.ov_model_free(model.getValue());
        }
    }

    /** Throws an {@link OpenVinoException} for a non-zero status, with the runtime's own message. */
    void check(String function, int status) {
        if (status != OvStatus.OK) {
            throw new OpenVinoException(function, status, lastError(status));
        }
    }

    private String lastError(int status) {
        try {
            Pointer p = api.ov_get_last_err_msg();
            if (p != null) {
                try {
                    String s = p.getString(0, "UTF-8");
                    if (!s.isBlank()) {
                        return s;
                    }
                } finally {
                    api.ov_free(p);
                }
            }
        } catch (UnsatisfiedLinkError e) {
            // before 2023.1 there is no ov_get_last_err_msg
        }
        try {
            Pointer info = api.ov_get_error_info(status);
            return info == null ? null : info.getString(0, "UTF-8");
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }

    /**
     * Finds the f32 code by making a one-element tensor and asking its byte size: 5 in the
     * 2022.3 to 2025 enum (UNDEFINED = 0), 4 where UNDEFINED is gone and DYNAMIC is 0.
     */
    private int probeF32() {
        for (int code : new int[] {5, 4}) {
            Memory dims = OvShape.dimsMemory(1);
            PointerByReference t = new PointerByReference();
            int st;
            try {
                st = api.ov_tensor_create(code, OvShape.of(new long[] {1}, dims), t);
            } catch (UnsatisfiedLinkError e) {
                return 5;
            }
            if (st != OvStatus.OK) {
                continue;
            }
            try {
                NativeLongByReference bytes = new NativeLongByReference();
                if (api.ov_tensor_get_byte_size(t.getValue(), bytes) == OvStatus.OK && bytes.getValue().longValue() == 4) {
                    return code;
                }
            } catch (UnsatisfiedLinkError e) {
                return 5;
            } finally {
                api.ov_tensor_free(t.getValue());
            }
        }
        throw new OpenVinoException("cannot tell this OpenVINO runtime's code for f32 (neither 5 nor 4 makes a"
                + " 4-byte element); its C API is not one this agent knows");
    }

    private void requireOpen() {
        if (core == null) {
            throw new IllegalStateException("the OpenVINO runtime is closed");
        }
    }

    @Override
    public void close() {
        if (core != null) {
            api.ov_core_free(core);
            core = null;
        }
    }
}
