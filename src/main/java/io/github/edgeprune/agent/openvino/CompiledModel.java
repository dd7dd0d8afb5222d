package io.github.edgeprune.agent.openvino;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.NativeLongByReference;
import com.sun.jna.ptr.PointerByReference;

/** A model compiled for a device ({@code ov_compiled_model_t}). */
public final class CompiledModel implements AutoCloseable {

    private final OpenVinoRuntime rt;
    private Pointer handle;

    CompiledModel(OpenVinoRuntime rt, Pointer handle) {
        this.rt = rt;
        this.handle = handle;
    }

    public int inputs() {
        NativeLongByReference n = new NativeLongByReference();
        rt.check("ov_compiled_model_inputs_size", rt.api.ov_compiled_model_inputs_size(handle(), n));
        return n.getValue().intValue();
    }

    public int outputs() {
        NativeLongByReference n = new NativeLongByReference();
        rt.check("ov_compiled_model_outputs_size", rt.api.ov_compiled_model_outputs_size(handle(), n));
        return n.getValue().intValue();
    }

    /** The static shape of an input, e.g. [1, 3, 320, 320]. */
    public long[] inputShape(int index) {
        PointerByReference port = new PointerByReference();
        rt.check("ov_compiled_model_input_by_index", rt.api.ov_compiled_model_input_by_index(handle(), new NativeLong(index), port));
        try {
            OvShape shape = new OvShape();
            rt.check("ov_const_port_get_shape", rt.api.ov_const_port_get_shape(port.getValue(), shape));
            try {
                return shape.toArray();
            } finally {
                rt.api.ov_shape_free(shape);
            }
        } finally {
            rt.api.ov_output_const_port_free(port.getValue());
        }
    }

    public InferRequest createInferRequest() {
        PointerByReference req = new PointerByReference();
        rt.check("ov_compiled_model_create_infer_request", rt.api.ov_compiled_model_create_infer_request(handle(), req));
        return new InferRequest(rt, req.getValue());
    }

    private Pointer handle() {
        if (handle == null) {
            throw new IllegalStateException("the compiled model is closed");
        }
        return handle;
    }

    @Override
    public void close() {
        if (handle != null) {
            rt.api.ov_compiled_model_free(handle);
            handle = null;
        }
    }
}
