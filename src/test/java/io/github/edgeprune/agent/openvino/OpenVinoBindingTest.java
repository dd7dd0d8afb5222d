package io.github.edgeprune.agent.openvino;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What needs no OpenVINO library: status mapping, messages, struct layouts. */
class OpenVinoBindingTest {

    @Test
    void statusCodesHaveTheirCApiNames() {
        assertEquals("OK", OvStatus.name(0));
        assertEquals("GENERAL_ERROR", OvStatus.name(-1));
        assertEquals("NOT_FOUND", OvStatus.name(-5));
        assertEquals("PARAMETER_MISMATCH", OvStatus.name(-4));
        assertEquals("INVALID_C_PARAM", OvStatus.name(-14));
        assertEquals("UNKNOW_EXCEPTION", OvStatus.name(-17));
        assertEquals("STATUS_-99", OvStatus.name(-99));
        assertEquals("STATUS_3", OvStatus.name(3));
        assertEquals("unknown status code", OvStatus.meaning(-99));
    }

    @Test
    void exceptionNamesFunctionStatusAndRuntimeMessage() {
        OpenVinoException e = new OpenVinoException("ov_core_read_model", -1, "Model file /x.xml cannot be opened!\n");
        assertEquals("ov_core_read_model failed with GENERAL_ERROR (-1: the runtime threw an exception (see the message)):"
                + " Model file /x.xml cannot be opened!", e.getMessage());
        assertEquals("ov_core_read_model", e.function());
        assertEquals(-1, e.status());
        OpenVinoException bare = new OpenVinoException("ov_infer_request_infer", -8, null);
        assertEquals("ov_infer_request_infer failed with REQUEST_BUSY (-8: the infer request is busy)", bare.getMessage());
        assertNull(bare.runtimeMessage());
    }

    @Test
    void shapeStructIsRankThenDimsPointer() {
        OvShape s = new OvShape();
        // int64_t rank; int64_t* dims; -> 8 + pointer, padded to 8
        assertEquals(16, s.size());
        Memory dims = OvShape.dimsMemory(4);
        OvShape.ByValue v = OvShape.of(new long[] {1, 3, 320, 256}, dims);
        Pointer p = v.getPointer();
        assertEquals(4, p.getLong(0));
        assertEquals(Pointer.nativeValue(dims), Pointer.nativeValue(p.getPointer(8)));
        assertEquals(320, dims.getLong(16));
        assertEquals(256, dims.getLong(24));
        // and read back as the runtime would fill it
        OvShape out = new OvShape();
        out.getPointer().setLong(0, 3);
        out.getPointer().setPointer(8, dims);
        assertEquals(3, out.toArray().length);
        assertEquals(320, out.toArray()[2]);
    }

    @Test
    void versionStructIsTwoStringPointers() {
        OvVersion v = new OvVersion();
        assertEquals(2 * Native.POINTER_SIZE, v.size());
        Memory build = new Memory(16);
        build.setString(0, "2024.4.0-x", "UTF-8");
        v.getPointer().setPointer(0, build);
        v.read();
        assertEquals("2024.4.0-x", v.build());
        assertEquals("", v.text());
    }
}
