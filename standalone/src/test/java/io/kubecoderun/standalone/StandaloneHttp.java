package io.kubecoderun.standalone;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;

/** What the standalone HTTP tests share: the app's port, a client, JSON, and an authenticated request. */
abstract class StandaloneHttp {
    static final String KEY = StandaloneApiTest.KEY;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;
    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();

    HttpRequest.Builder request(String path, String key) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("x-api-key", key);
    }
}
