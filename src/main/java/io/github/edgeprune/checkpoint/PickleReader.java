package io.github.edgeprune.checkpoint;

import io.github.edgeprune.tensor.Half;
import io.github.edgeprune.tensor.HostTensor;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Python pickle (protocols 0 to 5) without executing anything. Only the globals of
 * {@link PyGlobal#lookup the allow-list} may appear; the GLOBAL / STACK_GLOBAL opcode that names
 * any other global fails with a {@link RefusedGlobalException} at once, before that global could
 * be called or instantiated.
 *
 * <p>Python values become: None → null, bool → Boolean, int → Long (BigInteger beyond 64 bits),
 * float → Double, str → String, bytes → byte[], list → ArrayList, tuple → {@link PyTuple},
 * dict and OrderedDict → LinkedHashMap, set → LinkedHashSet, torch tensors and parameters →
 * {@link HostTensor} (float types as float32, integer and bool types as int64), torch.Size →
 * {@link PyTuple} of Long, numpy scalars → Double / Long / Boolean, numpy arrays →
 * {@link NumpyArray}, module instances → {@link PyObject}, dtype objects → {@link PyGlobal}.
 */
public final class PickleReader {

    /** The highest pickle protocol this reader accepts. */
    public static final int HIGHEST_PROTOCOL = 5;

    /** Elements a tensor view may have beyond those of its storage (stride-0 expansion). */
    private static final long MAX_EXPANDED_ELEMENTS = 1L << 26;

    /** Resolves a persistent id (from PERSID / BINPERSID) to an object, e.g. a {@link TorchStorage}. */
    @FunctionalInterface
    public interface PersistentLoader {
        Object load(Object pid);
    }

    private final String source;
    private final PersistentLoader loader;

    private byte[] data;
    private int pos;
    private int opPos;
    private int opcode;
    private final List<Object> stack = new ArrayList<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();

    /**
     * @param source how errors name the pickle, e.g. {@code yolov5n.pt (archive/data.pkl)}
     * @param loader resolves persistent ids; null refuses them
     */
    public PickleReader(String source, PersistentLoader loader) {
        this.source = source;
        this.loader = loader;
    }

    /** Unpickles one object (up to the first STOP). A reader may be used once. */
    public Object read(byte[] pickle) {
        if (data != null) {
            throw new IllegalStateException("a PickleReader reads one pickle");
        }
        data = pickle;
        try {
            return run();
        } catch (ClassCastException | IndexOutOfBoundsException | IllegalArgumentException | ArithmeticException
                | NullPointerException e) {
            throw corrupt("malformed " + opName() + " at byte " + opPos + " (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")");
        } catch (StackOverflowError e) {
            throw corrupt(opName() + " at byte " + opPos + " meets a value nested too deeply or containing itself");
        } finally {
            stack.clear();
            memo.clear();
        }
    }

    // ---------------------------------------------------------------- the opcode loop

    private Object run() {
        while (true) {
            if (pos >= data.length) {
                throw corrupt("the pickle ends at byte " + pos + " without a STOP opcode (truncated?)");
            }
            opPos = pos;
            opcode = data[pos++] & 0xff;
            switch (opcode) {
                case 0x80: { // PROTO
                    int proto = u8();
                    if (proto > HIGHEST_PROTOCOL) {
                        throw corrupt("unsupported pickle protocol " + proto + " (this reader knows 0 to "
                                + HIGHEST_PROTOCOL + ")");
                    }
                    break;
                }
                case 0x95: // FRAME: a length hint only
                    take(8);
                    break;
                case '.': // STOP
                    return pop();
                case '(': // MARK
                    marks.push(stack.size());
                    break;
                case '0': // POP
                    if (stack.size() > floor()) {
                        stack.remove(stack.size() - 1);
                    } else {
                        popMark();
                    }
                    break;
                case '1': // POP_MARK
                    popMark();
                    break;
                case '2': // DUP
                    push(top());
                    break;
                case 'N':
                    push(null);
                    break;
                case 0x88: // NEWTRUE
                    push(Boolean.TRUE);
                    break;
                case 0x89: // NEWFALSE
                    push(Boolean.FALSE);
                    break;
                case 'I': { // INT (text); I01 / I00 are bools
                    String s = line();
                    if (s.equals("01")) {
                        push(Boolean.TRUE);
                    } else if (s.equals("00")) {
                        push(Boolean.FALSE);
                    } else {
                        push(integer(new BigInteger(s.trim())));
                    }
                    break;
                }
                case 'J': // BININT
                    push((long) le(4).getInt());
                    break;
                case 'K': // BININT1
                    push((long) u8());
                    break;
                case 'M': // BININT2
                    push((long) (le(2).getShort() & 0xffff));
                    break;
                case 'L': { // LONG (text)
                    String s = line().trim();
                    push(integer(new BigInteger(s.endsWith("L") ? s.substring(0, s.length() - 1) : s)));
                    break;
                }
                case 0x8a: // LONG1
                    push(littleEndianInteger(take(u8())));
                    break;
                case 0x8b: // LONG4
                    push(littleEndianInteger(take(length(le(4).getInt() & 0xffffffffL))));
                    break;
                case 'F': // FLOAT (text)
                    push(Double.parseDouble(line().trim()));
                    break;
                case 'G': // BINFLOAT, big-endian
                    push(ByteBuffer.wrap(take(8)).order(ByteOrder.BIG_ENDIAN).getDouble());
                    break;
                case 'S': // STRING (text, Python 2 repr)
                    push(unquote(line()));
                    break;
                case 'T': // BINSTRING (Python 2 str)
                    push(new String(take(length(le(4).getInt())), StandardCharsets.ISO_8859_1));
                    break;
                case 'U': // SHORT_BINSTRING
                    push(new String(take(u8()), StandardCharsets.ISO_8859_1));
                    break;
                case 'V': // UNICODE (raw-unicode-escape)
                    push(rawUnicodeEscape(line()));
                    break;
                case 'X': // BINUNICODE
                    push(utf8(take(length(le(4).getInt() & 0xffffffffL))));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    push(utf8(take(u8())));
                    break;
                case 0x8d: // BINUNICODE8
                    push(utf8(take(length(le(8).getLong()))));
                    break;
                case 'B': // BINBYTES
                    push(take(length(le(4).getInt() & 0xffffffffL)));
                    break;
                case 'C': // SHORT_BINBYTES
                    push(take(u8()));
                    break;
                case 0x8e: // BINBYTES8
                case 0x96: // BYTEARRAY8
                    push(take(length(le(8).getLong())));
                    break;
                case ')': // EMPTY_TUPLE
                    push(PyTuple.EMPTY);
                    break;
                case 't': // TUPLE
                    push(PyTuple.copyOf(popMark()));
                    break;
                case 0x85: // TUPLE1
                    push(PyTuple.of(pop()));
                    break;
                case 0x86: { // TUPLE2
                    Object b = pop();
                    Object a = pop();
                    push(PyTuple.of(a, b));
                    break;
                }
                case 0x87: { // TUPLE3
                    Object c = pop();
                    Object b = pop();
                    Object a = pop();
                    push(PyTuple.of(a, b, c));
                    break;
                }
                case ']': // EMPTY_LIST
                    push(new ArrayList<>());
                    break;
                case 'l': // LIST
                    push(new ArrayList<>(popMark()));
                    break;
                case 'a': { // APPEND
                    Object value = pop();
                    list(top()).add(value);
                    break;
                }
                case 'e': { // APPENDS
                    List<Object> items = popMark();
                    list(top()).addAll(items);
                    break;
                }
                case '}': // EMPTY_DICT
                    push(new LinkedHashMap<>());
                    break;
                case 'd': { // DICT
                    List<Object> items = popMark();
                    Map<Object, Object> map = new LinkedHashMap<>();
                    putPairs(map, items);
                    push(map);
                    break;
                }
                case 's': { // SETITEM
                    Object value = pop();
                    Object key = pop();
                    dict(top()).put(key, value);
                    break;
                }
                case 'u': { // SETITEMS
                    List<Object> items = popMark();
                    putPairs(dict(top()), items);
                    break;
                }
                case 0x8f: // EMPTY_SET
                    push(new LinkedHashSet<>());
                    break;
                case 0x90: { // ADDITEMS
                    List<Object> items = popMark();
                    set(top()).addAll(items);
                    break;
                }
                case 0x91: // FROZENSET
                    push(new LinkedHashSet<>(popMark()));
                    break;
                case 'p': // PUT
                    memo.put(Long.parseLong(line().trim()), top());
                    break;
                case 'q': // BINPUT
                    memo.put((long) u8(), top());
                    break;
                case 'r': // LONG_BINPUT
                    memo.put(le(4).getInt() & 0xffffffffL, top());
                    break;
                case 0x94: // MEMOIZE
                    memo.put((long) memo.size(), top());
                    break;
                case 'g': // GET
                    push(memoGet(Long.parseLong(line().trim())));
                    break;
                case 'h': // BINGET
                    push(memoGet(u8()));
                    break;
                case 'j': // LONG_BINGET
                    push(memoGet(le(4).getInt() & 0xffffffffL));
                    break;
                case 'c': { // GLOBAL
                    String module = line();
                    String name = line();
                    push(global(module, name));
                    break;
                }
                case 0x93: { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String) || !(name instanceof String)) {
                        throw corrupt("STACK_GLOBAL at byte " + opPos + " expects two strings");
                    }
                    push(global((String) module, (String) name));
                    break;
                }
                case 'R': { // REDUCE
                    Object args = pop();
                    Object callable = pop();
                    push(call(callable, tuple(args)));
                    break;
                }
                case 0x81: { // NEWOBJ
                    Object args = pop();
                    Object cls = pop();
                    push(instantiate(cls, tuple(args)));
                    break;
                }
                case 0x92: { // NEWOBJ_EX
                    pop(); // kwargs
                    Object args = pop();
                    Object cls = pop();
                    push(instantiate(cls, tuple(args)));
                    break;
                }
                case 'i': { // INST
                    String module = line();
                    String name = line();
                    PyGlobal cls = global(module, name);
                    push(instantiate(cls, PyTuple.copyOf(popMark())));
                    break;
                }
                case 'o': { // OBJ
                    List<Object> items = popMark();
                    if (items.isEmpty()) {
                        throw corrupt("OBJ at byte " + opPos + " without a class");
                    }
                    push(instantiate(items.get(0), PyTuple.copyOf(items.subList(1, items.size()))));
                    break;
                }
                case 'b': { // BUILD
                    Object state = pop();
                    build(top(), state);
                    break;
                }
                case 'P': // PERSID
                    push(persistent(line()));
                    break;
                case 'Q': // BINPERSID
                    push(persistent(pop()));
                    break;
                case 0x82: case 0x83: case 0x84:
                    throw corrupt("extension registry codes (EXT1/2/4) are not supported (byte " + opPos + ")");
                case 0x97: case 0x98:
                    throw corrupt("out-of-band buffers (pickle protocol 5 NEXT_BUFFER) are not supported (byte "
                            + opPos + ")");
                default:
                    throw corrupt(String.format("unknown opcode 0x%02x at byte %d (corrupt pickle?)", opcode, opPos));
            }
        }
    }

    // ---------------------------------------------------------------- stack and input helpers

    private int floor() {
        return marks.isEmpty() ? 0 : marks.peek();
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        if (stack.size() <= floor()) {
            throw underflow();
        }
        return stack.remove(stack.size() - 1);
    }

    private Object top() {
        if (stack.size() <= floor()) {
            throw underflow();
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw corrupt(opName() + " at byte " + opPos + " without a preceding MARK");
        }
        int at = marks.pop();
        List<Object> tail = stack.subList(at, stack.size());
        List<Object> items = new ArrayList<>(tail);
        tail.clear();
        return items;
    }

    private PickleException underflow() {
        return corrupt("stack underflow at byte " + opPos + " (" + opName() + " finds no value to take)");
    }

    private int u8() {
        need(1);
        return data[pos++] & 0xff;
    }

    private void need(long n) {
        if (n < 0 || n > data.length - pos) {
            throw corrupt("the pickle ends inside " + opName() + " at byte " + opPos + " (truncated?)");
        }
    }

    private byte[] take(int n) {
        need(n);
        byte[] b = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return b;
    }

    private ByteBuffer le(int n) {
        return ByteBuffer.wrap(take(n)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private int length(long n) {
        need(n);
        return (int) n;
    }

    private String line() {
        int end = pos;
        while (end < data.length && data[end] != '\n') {
            end++;
        }
        if (end >= data.length) {
            throw corrupt("the pickle ends inside " + opName() + " at byte " + opPos + " (truncated?)");
        }
        String s = utf8(Arrays.copyOfRange(data, pos, end));
        pos = end + 1;
        return s;
    }

    private String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw corrupt("invalid UTF-8 in " + opName() + " at byte " + opPos);
        }
    }

    private static Object integer(BigInteger v) {
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private static Object littleEndianInteger(byte[] le) {
        if (le.length == 0) {
            return 0L;
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        return integer(new BigInteger(be));
    }

    private String unquote(String repr) {
        String s = repr.trim();
        if (s.length() < 2 || s.charAt(0) != s.charAt(s.length() - 1) || (s.charAt(0) != '\'' && s.charAt(0) != '"')) {
            throw corrupt("STRING at byte " + opPos + " is not a quoted string");
        }
        s = s.substring(1, s.length() - 1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                out.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n': out.append('\n'); break;
                case 'r': out.append('\r'); break;
                case 't': out.append('\t'); break;
                case '\\': case '\'': case '"': out.append(n); break;
                case 'x':
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                    break;
                default:
                    if (n >= '0' && n <= '7') {
                        int end = i;
                        while (end < s.length() && end < i + 3 && s.charAt(end) >= '0' && s.charAt(end) <= '7') {
                            end++;
                        }
                        out.append((char) Integer.parseInt(s.substring(i, end), 8));
                        i = end - 1;
                    } else {
                        out.append('\\').append(n);
                    }
            }
        }
        return out.toString();
    }

    private static String rawUnicodeEscape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 5 < s.length() && s.charAt(i + 1) == 'u') {
                out.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                i += 5;
            } else if (c == '\\' && i + 9 < s.length() && s.charAt(i + 1) == 'U') {
                out.appendCodePoint(Integer.parseInt(s.substring(i + 2, i + 10), 16));
                i += 9;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private Object memoGet(long key) {
        if (!memo.containsKey(key)) {
            throw corrupt("memo key " + key + " read at byte " + opPos + " was never stored");
        }
        return memo.get(key);
    }

    private void putPairs(Map<Object, Object> map, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw corrupt(opName() + " at byte " + opPos + " has an odd number of items");
        }
        for (int i = 0; i < items.size(); i += 2) {
            map.put(items.get(i), items.get(i + 1));
        }
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (o instanceof ArrayList) {
            return (List<Object>) o;
        }
        throw corrupt(opName() + " at byte " + opPos + " expects a list, found " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) {
        if (o instanceof LinkedHashMap) {
            return (Map<Object, Object>) o;
        }
        throw corrupt(opName() + " at byte " + opPos + " expects a dict, found " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private Set<Object> set(Object o) {
        if (o instanceof LinkedHashSet) {
            return (Set<Object>) o;
        }
        throw corrupt(opName() + " at byte " + opPos + " expects a set, found " + describe(o));
    }

    private PyTuple tuple(Object o) {
        if (o instanceof PyTuple) {
            return (PyTuple) o;
        }
        throw corrupt(opName() + " at byte " + opPos + " expects an argument tuple, found " + describe(o));
    }

    // ---------------------------------------------------------------- globals, calls, objects

    private PyGlobal global(String module, String name) {
        // Python 3 reads Python 2 names this way (pickle's fix_imports)
        String m = "__builtin__".equals(module) ? "builtins" : "copy_reg".equals(module) ? "copyreg" : module;
        PyGlobal g = PyGlobal.lookup(m, name);
        if (g == null) {
            String why = "not a class a YOLOv5 checkpoint contains";
            if (module.startsWith("__torch__")) {
                why += " (this looks like a TorchScript archive from torch.jit.save; save the model with torch.save)";
            }
            throw new RefusedGlobalException(source + ": refusing to load global '" + module + "." + name + "': " + why,
                    module, name);
        }
        return g;
    }

    private Object persistent(Object pid) {
        if (loader == null) {
            throw corrupt("persistent id " + describe(pid) + " at byte " + opPos
                    + " but nothing resolves persistent ids here");
        }
        return loader.load(pid);
    }

    private PyGlobal callable(Object o) {
        if (o instanceof PyGlobal) {
            return (PyGlobal) o;
        }
        throw corrupt(opName() + " at byte " + opPos + " calls " + describe(o) + ", which is not callable");
    }

    private Object call(Object target, PyTuple args) {
        PyGlobal g = callable(target);
        switch (g.kind()) {
            case ORDERED_DICT: {
                Map<Object, Object> map = new LinkedHashMap<>();
                if (!args.isEmpty()) {
                    for (Object pair : iterable(g, args.get(0))) {
                        List<?> kv = (List<?>) pair;
                        map.put(kv.get(0), kv.get(1));
                    }
                }
                return map;
            }
            case SET:
                return args.isEmpty() ? new LinkedHashSet<>() : new LinkedHashSet<>(iterable(g, args.get(0)));
            case REBUILD_TENSOR:
                return rebuildTensor(g, args);
            case REBUILD_PARAMETER: {
                arity(g, args, 3, 4);
                if (!(args.get(0) instanceof HostTensor)) {
                    throw corrupt(g + " at byte " + opPos + " expects a tensor, found " + describe(args.get(0)));
                }
                return args.get(0);
            }
            case REBUILD_FROM_TYPE: {
                arity(g, args, 4, 4);
                Object type = args.get(1);
                if (!(type instanceof PyGlobal) || ((PyGlobal) type).kind() != PyGlobal.Kind.TENSOR_TYPE) {
                    throw corrupt(g + " at byte " + opPos + " rebuilds a " + describe(type) + ", not a tensor");
                }
                Object tensor = call(args.get(0), tuple(args.get(2)));
                if (!(tensor instanceof HostTensor)) {
                    throw corrupt(g + " at byte " + opPos + " did not rebuild a tensor");
                }
                return tensor;
            }
            case TORCH_SIZE: {
                arity(g, args, 0, 1);
                return args.isEmpty() ? PyTuple.EMPTY : PyTuple.copyOf(new ArrayList<>(iterable(g, args.get(0))));
            }
            case TORCH_DEVICE:
                return join(g, args, ":");
            case PATH:
                return join(g, args, "/");
            case CODECS_ENCODE: {
                arity(g, args, 1, 2);
                String enc = args.size() > 1 ? String.valueOf(args.get(1)).toLowerCase().replace('_', '-') : "utf-8";
                if (!(args.get(0) instanceof String)) {
                    throw corrupt("_codecs.encode at byte " + opPos + " expects a str, found " + describe(args.get(0)));
                }
                String text = (String) args.get(0);
                if (enc.equals("latin1") || enc.equals("latin-1") || enc.equals("iso-8859-1")) {
                    byte[] out = new byte[text.length()];
                    for (int i = 0; i < out.length; i++) {
                        char c = text.charAt(i);
                        if (c > 0xff) {
                            throw corrupt("_codecs.encode at byte " + opPos + ": character beyond latin-1");
                        }
                        out[i] = (byte) c;
                    }
                    return out;
                }
                if (enc.equals("utf-8") || enc.equals("utf8")) {
                    return text.getBytes(StandardCharsets.UTF_8);
                }
                throw corrupt("_codecs.encode at byte " + opPos + " with encoding '" + enc + "' is not supported");
            }
            case NUMPY_DTYPE: {
                arity(g, args, 1, 3);
                if (!(args.get(0) instanceof String) || ((String) args.get(0)).isEmpty()) {
                    throw corrupt(g + " at byte " + opPos + " expects a type string, found " + describe(args.get(0)));
                }
                return new NumpyDType((String) args.get(0));
            }
            case NUMPY_SCALAR:
                return numpyScalar(g, args);
            case NUMPY_RECONSTRUCT: {
                arity(g, args, 3, 3);
                Object type = args.get(0);
                if (!(type instanceof PyGlobal) || ((PyGlobal) type).kind() != PyGlobal.Kind.NUMPY_NDARRAY) {
                    throw corrupt(g + " at byte " + opPos + " reconstructs a " + describe(type) + ", not numpy.ndarray");
                }
                return new NumpyBuilder();
            }
            case RECONSTRUCTOR: {
                arity(g, args, 3, 3);
                Object base = args.get(1);
                if (!(base instanceof PyGlobal) || ((PyGlobal) base).kind() != PyGlobal.Kind.OBJECT) {
                    throw corrupt(g + " at byte " + opPos + " with base " + describe(base) + " is not supported");
                }
                return instantiate(args.get(0), PyTuple.EMPTY);
            }
            case MODULE_CLASS:
                return instantiate(g, args);
            default:
                throw corrupt(opName() + " at byte " + opPos + " calls " + g + ", which is not callable");
        }
    }

    /** The arguments, strings or ints, joined: a device such as {@code cuda:0} or a path. */
    private String join(PyGlobal g, PyTuple args, String separator) {
        StringBuilder s = new StringBuilder();
        for (Object a : args) {
            if (!(a instanceof String) && !(a instanceof Long)) {
                throw corrupt(g + " at byte " + opPos + " expects strings, found " + describe(a));
            }
            s.append(s.length() == 0 ? "" : separator).append(a);
        }
        return s.toString();
    }

    private Object instantiate(Object target, PyTuple args) {
        PyGlobal g = callable(target);
        switch (g.kind()) {
            case MODULE_CLASS:
                return new PyObject(g.module(), g.name(), Collections.unmodifiableList(new ArrayList<>(args)));
            case ORDERED_DICT:
                return new LinkedHashMap<>();
            case SET:
                return new LinkedHashSet<>();
            default:
                throw corrupt(opName() + " at byte " + opPos + " instantiates " + g + ", which is not supported");
        }
    }

    private void arity(PyGlobal g, PyTuple args, int min, int max) {
        if (args.size() < min || args.size() > max) {
            throw corrupt(g + " at byte " + opPos + " takes " + (min == max ? "" + min : min + " to " + max)
                    + " arguments, got " + args.size());
        }
    }

    private Collection<?> iterable(PyGlobal g, Object o) {
        if (o instanceof Collection) {
            return (Collection<?>) o;
        }
        if (o instanceof Map) {
            return ((Map<?, ?>) o).keySet();
        }
        throw corrupt(g + " at byte " + opPos + " expects an iterable, found " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private void build(Object target, Object state) {
        if (state == null) {
            return;
        }
        if (target instanceof PyObject) {
            PyObject obj = (PyObject) target;
            if (state instanceof PyTuple && ((PyTuple) state).size() == 2) {
                PyTuple t = (PyTuple) state;
                if (t.get(0) != null) {
                    buildAttributes(obj, t.get(0));
                }
                if (t.get(1) != null) {
                    buildAttributes(obj, t.get(1));
                }
            } else {
                buildAttributes(obj, state);
            }
        } else if (target instanceof NumpyDType) {
            ((NumpyDType) target).setState(tuple(state));
        } else if (target instanceof NumpyBuilder) {
            // the array replaces its placeholder wherever the pickle has put it so far
            NumpyArray array = numpyArray(tuple(state));
            stack.set(stack.size() - 1, array);
            memo.replaceAll((k, v) -> v == target ? array : v);
        } else if (target instanceof Map && state instanceof Map && ((Map<?, ?>) state).isEmpty()) {
            return; // an OrderedDict with an empty __dict__
        } else {
            throw corrupt("BUILD at byte " + opPos + " gives state to " + describe(target) + ", which takes none");
        }
    }

    private void buildAttributes(PyObject obj, Object state) {
        if (!(state instanceof Map)) {
            throw corrupt("BUILD at byte " + opPos + " gives " + obj.className() + " a " + describe(state)
                    + " where a dict of attributes belongs");
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) state).entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw corrupt("BUILD at byte " + opPos + " gives " + obj.className() + " an attribute named "
                        + describe(e.getKey()));
            }
            obj.setAttribute((String) e.getKey(), e.getValue());
        }
    }

    // ---------------------------------------------------------------- tensors

    private HostTensor rebuildTensor(PyGlobal g, PyTuple args) {
        boolean v2 = g.name().equals("_rebuild_tensor_v2");
        arity(g, args, v2 ? 6 : 4, v2 ? 7 : 4);
        if (!(args.get(0) instanceof TorchStorage)) {
            throw corrupt(g + " at byte " + opPos + " expects a storage, found " + describe(args.get(0)));
        }
        TorchStorage storage = (TorchStorage) args.get(0);
        long offset = toLong(args.get(1), "storage offset");
        long[] size = longs(args.get(2), "size");
        long[] stride = longs(args.get(3), "stride");
        return tensor(storage, offset, size, stride);
    }

    private long toLong(Object o, String what) {
        if (o instanceof Long) {
            return (Long) o;
        }
        throw corrupt(opName() + " at byte " + opPos + ": tensor " + what + " is " + describe(o) + ", not an int");
    }

    private long[] longs(Object o, String what) {
        if (!(o instanceof List)) {
            throw corrupt(opName() + " at byte " + opPos + ": tensor " + what + " is " + describe(o) + ", not a tuple");
        }
        List<?> l = (List<?>) o;
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = toLong(l.get(i), what);
        }
        return out;
    }

    /** The view {@code (offset, size, stride)} of a storage as a contiguous tensor. */
    private HostTensor tensor(TorchStorage storage, long offset, long[] size, long[] stride) {
        String where = opName() + " at byte " + opPos + ": tensor of size " + Arrays.toString(size) + " on " + storage;
        if (size.length != stride.length) {
            throw corrupt(where + " has " + stride.length + " strides for " + size.length + " dimensions");
        }
        long n = 1;
        long last = offset; // highest element index the view touches
        for (int i = 0; i < size.length; i++) {
            if (size[i] < 0 || stride[i] < 0) {
                throw corrupt(where + " has a negative size or stride " + Arrays.toString(stride));
            }
            n = Math.multiplyExact(n, size[i]);
        }
        if (n > 0) {
            for (int i = 0; i < size.length; i++) {
                last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
            }
            if (offset < 0 || last >= storage.numel()) {
                throw corrupt(where + " at offset " + offset + " reaches element " + last + " beyond the storage");
            }
        }
        if (n > Integer.MAX_VALUE - 8 || (n > storage.numel() && n > MAX_EXPANDED_ELEMENTS)) {
            throw corrupt(where + " has " + n + " elements, too many to load");
        }
        int count = (int) n;
        StorageType type = storage.type();
        ByteBuffer buf = storage.buffer();
        boolean contiguous = true;
        long expect = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expect) {
                contiguous = false;
            }
            expect *= size[i];
        }
        float[] floats = type.floating() ? new float[count] : null;
        long[] longs = type.floating() ? null : new long[count];
        if (contiguous) {
            for (int i = 0; i < count; i++) {
                if (floats != null) {
                    floats[i] = type.floatAt(buf, offset + i);
                } else {
                    longs[i] = type.longAt(buf, offset + i);
                }
            }
        } else if (count > 0) {
            int rank = size.length;
            long[] index = new long[rank];
            long at = offset;
            for (int i = 0; i < count; i++) {
                if (floats != null) {
                    floats[i] = type.floatAt(buf, at);
                } else {
                    longs[i] = type.longAt(buf, at);
                }
                for (int d = rank - 1; d >= 0; d--) { // odometer over the view's indices
                    if (++index[d] < size[d]) {
                        at += stride[d];
                        break;
                    }
                    at -= (index[d] - 1) * stride[d];
                    index[d] = 0;
                }
            }
        }
        return floats != null ? HostTensor.ofFloats(floats, size) : HostTensor.ofLongs(longs, size);
    }

    // ---------------------------------------------------------------- numpy

    /** {@code numpy.dtype}: a type string such as {@code f8} and, after BUILD, its byte order. */
    private static final class NumpyDType {
        final String code;
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;

        NumpyDType(String code) {
            this.code = code;
        }

        void setState(PyTuple state) {
            if (state.size() > 1 && ">".equals(state.get(1))) {
                order = ByteOrder.BIG_ENDIAN;
            }
        }

        @Override
        public String toString() {
            return "numpy.dtype('" + code + "')";
        }
    }

    /** The result of {@code numpy.core.multiarray._reconstruct} until BUILD fills it in. */
    private static final class NumpyBuilder {
        @Override
        public String toString() {
            return "numpy.ndarray";
        }
    }

    private Object numpyScalar(PyGlobal g, PyTuple args) {
        arity(g, args, 2, 2);
        if (!(args.get(0) instanceof NumpyDType) || !(args.get(1) instanceof byte[])) {
            throw corrupt(g + " at byte " + opPos + " expects a numpy dtype and bytes, found " + describe(args.get(0))
                    + " and " + describe(args.get(1)));
        }
        NumpyDType dt = (NumpyDType) args.get(0);
        byte[] raw = (byte[]) args.get(1);
        int size = numpyItemSize(dt);
        if (raw.length != size) {
            throw corrupt(g + " at byte " + opPos + ": " + raw.length + " bytes for a " + dt);
        }
        return numpyValue(dt, ByteBuffer.wrap(raw).order(dt.order), 0);
    }

    private int numpyItemSize(NumpyDType dt) {
        String c = dt.code;
        if (c.length() >= 2 && "fiub".indexOf(c.charAt(0)) >= 0) {
            try {
                int size = Integer.parseInt(c.substring(1));
                if ((c.charAt(0) == 'f' && (size == 2 || size == 4 || size == 8))
                        || (c.charAt(0) != 'f' && c.charAt(0) != 'b' && (size == 1 || size == 2 || size == 4 || size == 8))
                        || (c.charAt(0) == 'b' && size == 1)) {
                    return size;
                }
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw corrupt(opName() + " at byte " + opPos + ": numpy dtype '" + c + "' is not supported (numbers only)");
    }

    private Object numpyValue(NumpyDType dt, ByteBuffer b, int at) {
        char kind = dt.code.charAt(0);
        int size = numpyItemSize(dt);
        switch (kind) {
            case 'f':
                return size == 2 ? (double) Half.toFloat(b.getShort(at))
                        : size == 4 ? (double) b.getFloat(at) : b.getDouble(at);
            case 'b':
                return b.get(at) != 0;
            case 'i':
                return size == 1 ? (long) b.get(at) : size == 2 ? (long) b.getShort(at)
                        : size == 4 ? (long) b.getInt(at) : b.getLong(at);
            default: { // 'u'
                if (size == 8) {
                    long v = b.getLong(at);
                    return v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
                }
                return size == 1 ? (long) (b.get(at) & 0xff) : size == 2 ? (long) (b.getShort(at) & 0xffff)
                        : b.getInt(at) & 0xffffffffL;
            }
        }
    }

    private NumpyArray numpyArray(PyTuple state) {
        // (version, shape, dtype, is_fortran, rawdata)
        if (state.size() != 5 || !(state.get(2) instanceof NumpyDType) || !(state.get(4) instanceof byte[])) {
            throw corrupt("BUILD at byte " + opPos + ": numpy array state " + describe(state)
                    + " is not supported (numeric arrays only)");
        }
        long[] shape = longs(state.get(1), "numpy shape");
        NumpyDType dt = (NumpyDType) state.get(2);
        boolean fortran = Boolean.TRUE.equals(state.get(3));
        byte[] raw = (byte[]) state.get(4);
        int size = numpyItemSize(dt);
        long n = HostTensor.elementCount(shape);
        if (n * size != raw.length) {
            throw corrupt("BUILD at byte " + opPos + ": numpy array of shape " + Arrays.toString(shape) + " and dtype "
                    + dt.code + " with " + raw.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(dt.order);
        List<Object> values = new ArrayList<>((int) n);
        long[] index = new long[shape.length];
        for (long i = 0; i < n; i++) {
            long at = i;
            if (fortran && shape.length > 1) { // C-order position i → Fortran storage position
                long rest = i;
                for (int d = shape.length - 1; d >= 0; d--) {
                    index[d] = rest % shape[d];
                    rest /= shape[d];
                }
                at = 0;
                for (int d = shape.length - 1; d >= 0; d--) {
                    at = at * shape[d] + index[d];
                }
            }
            values.add(numpyValue(dt, b, (int) (at * size)));
        }
        return new NumpyArray(dt.code, shape, values);
    }

    // ---------------------------------------------------------------- errors

    private String opName() {
        return OpNames.name(opcode);
    }

    private PickleException corrupt(String message) {
        return new PickleException(source + ": " + message);
    }

    /** A short description of an unpickled value's type, for messages. */
    static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof PyGlobal) {
            return "global " + o;
        }
        if (o instanceof PyObject) {
            return ((PyObject) o).className() + " object";
        }
        if (o instanceof String) {
            String s = (String) o;
            return "str '" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
        }
        if (o instanceof PyTuple) {
            return "tuple of " + ((PyTuple) o).size();
        }
        if (o instanceof List) {
            return "list of " + ((List<?>) o).size();
        }
        if (o instanceof Map) {
            return "dict of " + ((Map<?, ?>) o).size();
        }
        if (o instanceof Set) {
            return "set of " + ((Set<?>) o).size();
        }
        if (o instanceof byte[]) {
            return "bytes of " + ((byte[]) o).length;
        }
        if (o instanceof Long || o instanceof BigInteger) {
            return "int " + o;
        }
        if (o instanceof Double) {
            return "float " + o;
        }
        if (o instanceof Boolean) {
            return "bool " + o;
        }
        if (o instanceof HostTensor) {
            return "tensor " + Arrays.toString(((HostTensor) o).shape());
        }
        return o.toString();
    }

    /** Opcode names for messages. */
    private static final class OpNames {
        private static final String[] NAMES = new String[256];

        static {
            String table = "(MARK .STOP 0POP 1POP_MARK 2DUP FFLOAT IINT JBININT KBININT1 LLONG MBININT2 NNONE "
                    + "PPERSID QBINPERSID RREDUCE SSTRING TBINSTRING USHORT_BINSTRING VUNICODE XBINUNICODE aAPPEND "
                    + "bBUILD cGLOBAL dDICT }EMPTY_DICT eAPPENDS gGET hBINGET iINST jLONG_BINGET lLIST ]EMPTY_LIST "
                    + "oOBJ pPUT qBINPUT rLONG_BINPUT sSETITEM tTUPLE )EMPTY_TUPLE uSETITEMS GBINFLOAT BBINBYTES "
                    + "CSHORT_BINBYTES";
            for (String entry : table.split(" ")) {
                NAMES[entry.charAt(0)] = entry.substring(1);
            }
            String[] high = {"PROTO", "NEWOBJ", "EXT1", "EXT2", "EXT4", "TUPLE1", "TUPLE2", "TUPLE3", "NEWTRUE",
                "NEWFALSE", "LONG1", "LONG4", "SHORT_BINUNICODE", "BINUNICODE8", "BINBYTES8", "EMPTY_SET", "ADDITEMS",
                "FROZENSET", "NEWOBJ_EX", "STACK_GLOBAL", "MEMOIZE", "FRAME", "BYTEARRAY8", "NEXT_BUFFER",
                "READONLY_BUFFER"};
            for (int i = 0; i < high.length; i++) {
                NAMES[0x80 + i] = high[i];
            }
        }

        static String name(int opcode) {
            String n = NAMES[opcode & 0xff];
            return n != null ? n : String.format("opcode 0x%02x", opcode);
        }
    }
}
