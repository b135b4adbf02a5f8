package io.kubecoderun.runner.http;

import com.sun.net.httpserver.HttpExchange;
import io.kubecoderun.runner.RunnerException;
import io.kubecoderun.runner.wire.Json;
import io.kubecoderun.runner.wire.RunnerError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading bounded bodies and writing JSON answers and errors on a JDK {@link HttpExchange}. */
public final class Exchanges {
    private Exchanges() {}

    /** Reads the whole body, refusing more than {@code cap} bytes with 413 before buffering them. */
    public static byte[] readBody(HttpExchange exchange, long cap) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.strip()) > cap) {
                    throw new RunnerException.TooLarge("request body exceeds the cap of " + cap + " bytes");
                }
            } catch (NumberFormatException e) {
                throw new RunnerException.BadRequest(RunnerError.INVALID_HEADER, "Content-Length is not a number");
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = exchange.getRequestBody()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (out.size() + (long) n > cap) {
                    throw new RunnerException.TooLarge("request body exceeds the cap of " + cap + " bytes");
                }
                out.write(buffer, 0, n);
            }
        }
        return out.toByteArray();
    }

    /** Parses the body as a JSON object; 422 when it is not one. */
    public static Map<String, Object> readJsonObject(HttpExchange exchange, long cap) throws IOException {
        String text = new String(readBody(exchange, cap), StandardCharsets.UTF_8);
        try {
            return Json.parseObject(text);
        } catch (Json.JsonException e) {
            throw new RunnerException.Malformed("request body is not a JSON object: " + e.getMessage());
        }
    }

    public static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    public static void sendEmpty(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    /** The error body of the public API: {@code {"error", "error_type"}}. */
    public static void sendError(HttpExchange exchange, RunnerException e) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.getMessage());
        body.put("error_type", e.error().wire());
        sendJson(exchange, e.status(), body);
    }

    /** Decodes a percent-encoded URI path (no '+' rule: that belongs to forms). 400 on a malformed escape. */
    public static String decodePath(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw new RunnerException.BadRequest(RunnerError.INVALID_PATH, "malformed percent escape");
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new RunnerException.BadRequest(RunnerError.INVALID_PATH, "malformed percent escape");
                }
                bytes.write((hi << 4) | lo);
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
