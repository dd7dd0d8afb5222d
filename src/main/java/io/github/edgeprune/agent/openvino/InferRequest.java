package io.github.edgeprune.agent.openvino;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.NativeLongByReference;
import com.sun.jna.ptr.PointerByReference;

import io.github.edgeprune.tensor.HostTensor;

import java.util.Arrays;

/**
 * One inference request ({@code ov_infer_request_t}). The f32 input lives in memory this object
 * owns and hands to OpenVINO with {@code ov_tensor_create_from_host_ptr}; a second input of the
 * same shape reuses it, so repeated inferences copy only the pixels.
 */
public final class InferRequest implements AutoCloseable {

    private final OpenVinoRuntime rt;
    private Pointer handle;
    private Memory inputData;
    private Memory inputDims;
    private Pointer inputTensor;
    private long[] inputShape;

    InferRequest(OpenVinoRuntime rt, Pointer handle) {
        this.rt = rt;
        this.handle = handle;
    }

    /** Sets input 0 to an f32 tensor, e.g. [1, 3, H, W]. */
    public void setInput(HostTensor input) {
        if (input.dtype() != HostTensor.DType.FLOAT32) {
            throw new IllegalArgumentException("the input must be float32, got " + input.dtype());
        }
        setInput(input.floats(), input.shape());
    }

    /** Sets input 0 from f32 values in row-major order with the given shape. */
    public void setInput(float[] data, long[] shape) {
        long n = HostTensor.elementCount(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
        if (inputTensor == null || !Arrays.equals(shape, inputShape)) {
            freeInput();
            inputData = new Memory(Math.max(4, 4L * n));
            inputDims = OvShape.dimsMemory(shape.length);
            PointerByReference t = new PointerByReference();
            rt.check("ov_tensor_create_from_host_ptr", rt.api.ov_tensor_create_from_host_ptr(rt.f32Code(),
                    OvShape.of(shape, inputDims), inputData, t));
            inputTensor = t.getValue();
            inputShape = shape.clone();
            inputData.write(0, data, 0, data.length);
            rt.check("ov_infer_request_set_input_tensor_by_index",
                    rt.api.ov_infer_request_set_input_tensor_by_index(handle(), new NativeLong(0), inputTensor));
        } else {
            inputData.write(0, data, 0, data.length);
        }
    }

    /** Runs inference synchronously. */
    public void infer() {
        rt.check("ov_infer_request_infer", rt.api.ov_infer_request_infer(handle()));
    }

    /** A copy of output {@code index} (f32) with its shape. */
    public HostTensor output(int index) {
        PointerByReference t = new PointerByReference();
        rt.check("ov_infer_request_get_output_tensor_by_index",
                rt.api.ov_infer_request_get_output_tensor_by_index(handle(), new NativeLong(index), t));
        Pointer tensor = t.getValue();
        try {
            IntByReference type = new IntByReference();
            rt.check("ov_tensor_get_element_type", rt.api.ov_tensor_get_element_type(tensor, type));
            if (type.getValue() != rt.f32Code()) {
                throw new OpenVinoException("output " + index + " has element type code " + type.getValue()
                        + ", expected f32 (" + rt.f32Code() + "); export the IR with f32 outputs");
            }
            OvShape shape = new OvShape();
            rt.check("ov_tensor_get_shape", rt.api.ov_tensor_get_shape(tensor, shape));
            long[] dims;
            try {
                dims = shape.toArray();
            } finally {
                rt.api.ov_shape_free(shape);
            }
            NativeLongByReference size = new NativeLongByReference();
            rt.check("ov_tensor_get_size", rt.api.ov_tensor_get_size(tensor, size));
            long n = HostTensor.elementCount(dims);
            if (size.getValue().longValue() != n) {
                throw new OpenVinoException("output " + index + " reports " + size.getValue() + " elements for shape "
                        + Arrays.toString(dims));
            }
            PointerByReference data = new PointerByReference();
            rt.check("ov_tensor_data", rt.api.ov_tensor_data(tensor, data));
            float[] values = data.getValue().getFloatArray(0, Math.toIntExact(n));
            return HostTensor.ofFloats(values, dims);
        } finally {
            rt.api.ov_tensor_free(tensor);
        }
    }

    /** setInput, infer, output(0). */
    public HostTensor infer(HostTensor input) {
        setInput(input);
        infer();
        return output(0);
    }

    private Pointer handle() {
        if (handle == null) {
            throw new IllegalStateException("the infer request is closed");
        }
        return handle;
    }

    private void freeInput() {
        if (inputTensor != null) {
            rt.api.ov_tensor_free(inputTensor);
            inputTensor = null;
        }
        if (inputData != null) {
            inputData.close();
            inputData = null;
        }
        if (inputDims != null) {
            inputDims.close();
            inputDims = null;
        }
    }

    @Override
    public void close() {
        if (handle != null) {
            rt.api.ov_infer_request_free(handle);
            handle = null;
        }
        freeInput();
    }
}
