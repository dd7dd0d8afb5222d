package io.github.edgeprune.device;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * An output stream that keeps everything written to it and hands each complete line (UTF-8,
 * without the line end) to a listener as it arrives. Thread-safe: SSH channels and process pumps
 * write from their own threads.
 */
final class LineSplitter extends OutputStream {

    private final Consumer<String> listener;
    private final ByteArrayOutputStream all = new ByteArrayOutputStream();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean closed;

    LineSplitter(Consumer<String> listener) {
        this.listener = listener;
    }

    @Override
    public synchronized void write(int b) {
        all.write(b);
        if (b == '\n') {
            emit();
        } else {
            line.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    private void emit() {
        byte[] bytes = line.toByteArray();
        line.reset();
        int n = bytes.length;
        if (n > 0 && bytes[n - 1] == '\r') {
            n--;
        }
        String text = new String(bytes, 0, n, StandardCharsets.UTF_8);
        if (listener != null) {
            try {
                listener.accept(text);
            } catch (RuntimeException e) {
                // a listener's bug must not break the transport; the full text is still kept
            }
        }
    }

    /** Delivers a last line that had no line end. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (line.size() > 0) {
                emit();
            }
        }
    }

    /** Everything written so far. */
    synchronized String text() {
        return all.toString(StandardCharsets.UTF_8);
    }
}
