package io.kubecoderun.standalone;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** What the standalone HTTP tests share: the app's port, a client, JSON, and an authenticated request. */
abstract class StandaloneHttp {
    static final String KEY = StandaloneApiTest.KEY;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();

    HttpRequest.Builder request(String path, String key) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("x-api-key", key);
    }

    /**
     * A binary-mode exec request event as a Broker delivers it: {@code ce-*} headers, one extension (such as
     * {@code kcrapikey}) and the /exec JSON as the body; no x-api-key, which the event route does not read.
     */
    HttpRequest binaryEvent(String id, String source, String extension, String value, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("ce-specversion", "1.0")
                .header("ce-type", "io.kubecoderun.exec.request")
                .header("ce-source", source)
                .header("ce-id", id)
                .header("ce-" + extension, value)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }
}
