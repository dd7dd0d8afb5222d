package io.github.edgeprune.agent.openvino;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/** {@code ov_version_t}: {@code { const char* buildNumber; const char* description; }}. */
@Structure.FieldOrder({"buildNumber", "description"})
public class OvVersion extends Structure {

    public Pointer buildNumber;
    public Pointer description;

    public OvVersion() {
        super();
    }

    String build() {
        return buildNumber == null ? "" : buildNumber.getString(0, "UTF-8");
    }

    String text() {
        return description == null ? "" : description.getString(0, "UTF-8");
    }
}
