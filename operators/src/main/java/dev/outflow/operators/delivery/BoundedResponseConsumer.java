package dev.outflow.operators.delivery;

import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a response with all its headers but keeps at most {@code maxBytes} of the body, so a huge or endless
 * response cannot fill the heap; the rest is read and dropped, and the result says it was truncated.
 */
final class BoundedResponseConsumer extends AbstractBinResponseConsumer<HttpExchange.Response> {

    private final int maxBytes;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private int status;
    private List<Map.Entry<String, String>> headers = List.of();
    private boolean truncated;

    BoundedResponseConsumer(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    protected void start(HttpResponse response, ContentType contentType) {
        status = response.getCode();
        List<Map.Entry<String, String>> all = new ArrayList<>();
        for (Header header : response.getHeaders()) {
            all.add(new AbstractMap.SimpleImmutableEntry<>(header.getName().toLowerCase(Locale.ROOT), header.getValue()));
        }
        headers = all;
    }

    @Override
    protected int capacityIncrement() {
        return 64 * 1024;
    }

    @Override
    protected void data(ByteBuffer src, boolean endOfStream) {
        int room = maxBytes - body.size();
        int take = Math.min(room, src.remaining());
        if (take < src.remaining()) {
            truncated = true;
        }
        if (take > 0) {
            byte[] chunk = new byte[take];
            src.get(chunk);
            body.write(chunk, 0, take);
        }
        src.position(src.limit());
    }

    @Override
    protected HttpExchange.Response buildResult() {
        return new HttpExchange.Response(status, headers, body.toByteArray(), truncated);
    }

    @Override
    public void releaseResources() {}
}
