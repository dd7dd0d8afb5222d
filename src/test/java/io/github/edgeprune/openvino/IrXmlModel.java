package io.github.edgeprune.openvino;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/** A plain DOM view of an IR xml for the tests, independent of {@link IrReader}. */
record IrXmlModel(String version, List<Layer> layers, List<Edge> edges, Element root) {

    record Port(int id, String precision, long[] dims, String names) {
    }

    record Layer(long id, String name, String type, String version, Map<String, String> data, List<Port> inputs,
            List<Port> outputs, List<String> rtAttributes) {

        String key() {
            return type + "/" + version;
        }

        Port output(int id) {
            return outputs.stream().filter(p -> p.id() == id).findFirst().orElse(null);
        }

        Port input(int id) {
            return inputs.stream().filter(p -> p.id() == id).findFirst().orElse(null);
        }
    }

    record Edge(long fromLayer, int fromPort, long toLayer, int toPort) {
    }

    static IrXmlModel parse(Path xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element root = f.newDocumentBuilder().parse(xml.toFile()).getDocumentElement();
        List<Layer> layers = new ArrayList<>();
        for (Element l : kids(kid(root, "layers"), "layer")) {
            Map<String, String> data = new LinkedHashMap<>();
            Element d = kid(l, "data");
            if (d != null) {
                NamedNodeMap a = d.getAttributes();
                for (int i = 0; i < a.getLength(); i++) {
                    data.put(a.item(i).getNodeName(), a.item(i).getNodeValue());
                }
            }
            List<String> rt = new ArrayList<>();
            Element r = kid(l, "rt_info");
            if (r != null) {
                for (Element a : kids(r, "attribute")) {
                    rt.add(a.getAttribute("name"));
                }
            }
            layers.add(new Layer(Long.parseLong(l.getAttribute("id")), l.getAttribute("name"), l.getAttribute("type"),
                    l.getAttribute("version"), data, ports(kid(l, "input")), ports(kid(l, "output")), rt));
        }
        List<Edge> edges = new ArrayList<>();
        for (Element e : kids(kid(root, "edges"), "edge")) {
            edges.add(new Edge(Long.parseLong(e.getAttribute("from-layer")), Integer.parseInt(e.getAttribute("from-port")),
                    Long.parseLong(e.getAttribute("to-layer")), Integer.parseInt(e.getAttribute("to-port"))));
        }
        return new IrXmlModel(root.getAttribute("version"), layers, edges, root);
    }

    private static List<Port> ports(Element parent) {
        List<Port> out = new ArrayList<>();
        if (parent == null) {
            return out;
        }
        for (Element p : kids(parent, "port")) {
            List<Element> dims = kids(p, "dim");
            long[] d = new long[dims.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = Long.parseLong(dims.get(i).getTextContent().trim());
            }
            out.add(new Port(Integer.parseInt(p.getAttribute("id")), p.getAttribute("precision"), d,
                    p.hasAttribute("names") ? p.getAttribute("names") : null));
        }
        return out;
    }

    static Element kid(Element parent, String tag) {
        List<Element> k = kids(parent, tag);
        return k.isEmpty() ? null : k.get(0);
    }

    static List<Element> kids(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                out.add(e);
            }
        }
        return out;
    }

    Layer layer(long id) {
        return layers.stream().filter(l -> l.id() == id).findFirst().orElse(null);
    }

    Layer byName(String name) {
        return layers.stream().filter(l -> l.name().equals(name)).findFirst().orElse(null);
    }

    /** The layer feeding input port {@code port} of layer {@code to}. */
    Layer producer(Layer to, int port) {
        return edges.stream().filter(e -> e.toLayer() == to.id() && e.toPort() == port).findFirst()
                .map(e -> layer(e.fromLayer())).orElse(null);
    }

    List<Layer> consumers(Layer from) {
        return edges.stream().filter(e -> e.fromLayer() == from.id()).map(e -> layer(e.toLayer())).toList();
    }
}
