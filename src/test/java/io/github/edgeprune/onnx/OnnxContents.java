package io.github.edgeprune.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an ONNX model's main graph holds, read with just enough protobuf: ModelProto.graph (7);
 * GraphProto.node (1) and initializer (5); NodeProto.op_type (4) and domain (7); TensorProto
 * data_type (2) and name (8). Every other field is skipped. (Searching the bytes for
 * "QLinearConv" would match node names too and could not count nodes.)
 */
record OnnxContents(Map<String, Integer> opTypes, Map<String, Integer> initializerTypes) {

    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_DOMAIN = 7;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_NAME = 8;

    /**
     * Op types (prefixed with "domain:" outside the default domain) with how many nodes have
     * each, and every initializer's TensorProto.DataType by name.
     */
    static OnnxContents read(byte[] model) throws IOException {
        OnnxContents contents = new OnnxContents(new TreeMap<>(), new TreeMap<>());
        CodedInputStream in = CodedInputStream.newInstance(model);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (is(tag, MODEL_GRAPH, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                contents.readGraph(in.readByteArray());
            } else {
                in.skipField(tag);
            }
        }
        return contents;
    }

    int count(String opType) {
        return opTypes.getOrDefault(opType, 0);
    }

    private void readGraph(byte[] graph) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(graph);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (is(tag, GRAPH_NODE, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                opTypes.merge(opType(in.readByteArray()), 1, Integer::sum);
            } else if (is(tag, GRAPH_INITIALIZER, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                readInitializer(in.readByteArray());
            } else {
                in.skipField(tag);
            }
        }
    }

    private static String opType(byte[] node) throws IOException {
        String type = "";
        String domain = "";
        CodedInputStream in = CodedInputStream.newInstance(node);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (is(tag, NODE_OP_TYPE, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                type = in.readStringRequireUtf8();
            } else if (is(tag, NODE_DOMAIN, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                domain = in.readStringRequireUtf8();
            } else {
                in.skipField(tag);
            }
        }
        return domain.isEmpty() || domain.equals("ai.onnx") ? type : domain + ":" + type;
    }

    private void readInitializer(byte[] tensor) throws IOException {
        String name = "";
        int dataType = 0;
        CodedInputStream in = CodedInputStream.newInstance(tensor);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (is(tag, TENSOR_NAME, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                name = in.readStringRequireUtf8();
            } else if (is(tag, TENSOR_DATA_TYPE, WireFormat.WIRETYPE_VARINT)) {
                dataType = in.readInt32();
            } else {
                in.skipField(tag);
            }
        }
        initializerTypes.put(name, dataType);
    }

    private static boolean is(int tag, int field, int wireType) {
        return WireFormat.getTagFieldNumber(tag) == field && WireFormat.getTagWireType(tag) == wireType;
    }
}
