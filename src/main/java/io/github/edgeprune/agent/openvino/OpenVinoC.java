package io.github.edgeprune.agent.openvino;

import com.sun.jna.Library;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.NativeLongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The part of the OpenVINO C API ({@code libopenvino_c}, 2023.0 and newer) that the agent uses.
 * Handles are opaque pointers. {@code size_t} is {@link NativeLong} (same width as C {@code long}
 * on Linux, 32- and 64-bit). Every {@code int} result is an {@code ov_status_e}.
 */
public interface OpenVinoC extends Library {

    int ov_get_openvino_version(OvVersion version);

    void ov_version_free(OvVersion version);

    /** A copy of the last error text (free it with {@link #ov_free}); null when there is none. Since 2023.1. */
    Pointer ov_get_last_err_msg();

    /** A static description of a status code (do not free). */
    Pointer ov_get_error_info(int status);

    void ov_free(Pointer content);

    int ov_core_create(PointerByReference core);

    void ov_core_free(Pointer core);

    int ov_core_read_model(Pointer core, String modelPath, String binPath, PointerByReference model);

    void ov_model_free(Pointer model);

    /** Variadic in C: property_args_size key/value strings follow. */
    int ov_core_compile_model(Pointer core, Pointer model, String deviceName, NativeLong propertyArgsSize,
                              PointerByReference compiledModel, Object... properties);

    void ov_compiled_model_free(Pointer compiledModel);

    int ov_compiled_model_inputs_size(Pointer compiledModel, NativeLongByReference size);

    int ov_compiled_model_outputs_size(Pointer compiledModel, NativeLongByReference size);

    int ov_compiled_model_input_by_index(Pointer compiledModel, NativeLong index, PointerByReference port);

    int ov_const_port_get_shape(Pointer port, OvShape shape);

    void ov_output_const_port_free(Pointer port);

    int ov_compiled_model_create_infer_request(Pointer compiledModel, PointerByReference inferRequest);

    void ov_infer_request_free(Pointer inferRequest);

    int ov_tensor_create(int elementType, OvShape.ByValue shape, PointerByReference tensor);

    int ov_tensor_create_from_host_ptr(int elementType, OvShape.ByValue shape, Pointer hostPtr, PointerByReference tensor);

    int ov_tensor_get_shape(Pointer tensor, OvShape shape);

    int ov_tensor_get_element_type(Pointer tensor, IntByReference type);

    int ov_tensor_get_size(Pointer tensor, NativeLongByReference elements);

    int ov_tensor_get_byte_size(Pointer tensor, NativeLongByReference bytes);

    int ov_tensor_data(Pointer tensor, PointerByReference data);

    void ov_tensor_free(Pointer tensor);

    int ov_shape_free(OvShape shape);

    int ov_infer_request_set_input_tensor_by_index(Pointer inferRequest, NativeLong index, Pointer tensor);

    int ov_infer_request_infer(Pointer inferRequest);

    int ov_infer_request_get_output_tensor_by_index(Pointer inferRequest, NativeLong index, PointerByReference tensor);
}
