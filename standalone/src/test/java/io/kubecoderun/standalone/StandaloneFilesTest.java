package io.kubecoderun.standalone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.core.testing.MultipartBody;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The file routes over HTTP, and files travelling through /exec, on the standalone app with real runners. */
@QuarkusTest
@TestProfile(StandaloneApiTest.Profile.class)
class StandaloneFilesTest extends StandaloneHttp {

    @SuppressWarnings("unchecked")
    private Map<String, Object> upload(String path, MultipartBody body, String key, int expected) throws Exception {
        HttpResponse<String> response = http.send(
                request(path, key)
                        .header("Content-Type", body.contentType())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.build()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, response.statusCode(), response.body());
        return json.readValue(response.body(), Map.class);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> exec(String body) throws Exception {
        HttpResponse<String> response = http.send(
                request("/v1/exec", KEY)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return json.readValue(response.body(), Map.class);
    }

    private HttpResponse<byte[]> get(String path, String key) throws Exception {
        return http.send(request(path, key).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aCsvIsUploadedReadByPandasAndTheOutputsDownloadByteForByte() throws Exception {
        Map<String, Object> up = upload(
                "/upload",
                new MultipartBody()
                        .file("file", "data.csv", "x,y\n1,2\n3,4\n".getBytes(StandardCharsets.UTF_8))
                        .field("entity_id", "agent-7"),
                KEY,
                200);
        assertEquals("success", up.get("message"));
        String session = (String) up.get("session_id");
        assertEquals(session, up.get("storage_session_id"));
        Map<String, Object> file = ((List<Map<String, Object>>) up.get("files")).get(0);
        Map<String, Object> result =
                exec("{\"lang\":\"py\",\"code\":\"import pandas as pd\\ndf = pd.read_csv('data.csv')\\n"
                        + "df.assign(z=df.x*df.y).to_csv('product.csv', index=False)\\nopen('rows.txt','w').write(str(len(df)))\","
                        + "\"files\":[{\"id\":\"" + file.get("fileId") + "\",\"storage_session_id\":\"" + session
                        + "\",\"name\":\"data.csv\"}]}");
        assertEquals(session, result.get("session_id"), "the session of the referenced file");
        Map<String, String> downloads = new java.util.TreeMap<>();
        for (Map<String, Object> out : (List<Map<String, Object>>) result.get("files")) {
            HttpResponse<byte[]> d = get("/download/" + session + "/" + out.get("id"), KEY);
            assertEquals(200, d.statusCode());
            downloads.put((String) out.get("name"), new String(d.body(), StandardCharsets.UTF_8));
        }
        assertEquals(Map.of("product.csv", "x,y,z\n1,2,2\n3,4,12\n", "rows.txt", "2"), downloads);

        Map<String, Object> continued = upload(
                "/v1/upload",
                new MultipartBody()
                        .file("files", "more.txt", "m".getBytes(StandardCharsets.UTF_8))
                        .field("entity_id", "agent-7"),
                KEY,
                200);
        assertEquals(session, continued.get("session_id"), "an upload with the entity continues its session");
    }

    @Test
    @SuppressWarnings("unchecked")
    void listingsComeInAllFourShapes() throws Exception {
        Map<String, Object> up = upload(
                "/upload",
                new MultipartBody()
                        .file("file", "dir/a.txt", "abc".getBytes(StandardCharsets.UTF_8))
                        .field("read_only", "true")
                        .field("kind", "user"),
                KEY,
                200);
        String session = (String) up.get("session_id");
        String id =
                (String) ((List<Map<String, Object>>) up.get("files")).get(0).get("fileId");
        Map<String, List<String>> expectedKeys = Map.of(
                "summary", List.of("name", "lastModified", "size", "etag"),
                "simple", List.of("id", "name", "path"),
                "full",
                        List.of(
                                "id",
                                "name",
                                "session_id",
                                "storage_session_id",
                                "size",
                                "lastModified",
                                "etag",
                                "contentType",
                                "metadata"),
                "normalized",
                        List.of(
                                "id",
                                "name",
                                "storage_session_id",
                                "size",
                                "contentType",
                                "lastModified",
                                "read_only"));
        for (var shape : expectedKeys.entrySet()) {
            List<Map<String, Object>> listing = json.readValue(
                    get("/files/" + session + "?detail=" + shape.getKey(), KEY).body(), List.class);
            assertEquals(1, listing.size());
            assertEquals(shape.getValue(), List.copyOf(listing.get(0).keySet()), shape.getKey());
        }
        List<Map<String, Object>> summary =
                json.readValue(get("/files/" + session + "?detail=summary", KEY).body(), List.class);
        assertEquals(session + "/" + id, summary.get(0).get("name"));
        assertTrue(((String) summary.get(0).get("lastModified")).endsWith("Z"));
        Map<String, Object> object = json.readValue(
                get("/sessions/" + session + "/objects/" + id, KEY).body(), Map.class);
        assertEquals(session + "/" + id, object.get("name"), "the full shape names files as summary does");
        assertEquals(id, object.get("id"));
        assertEquals(Map.of("content-type", "text/plain", "original-filename", "dir/a.txt"), object.get("metadata"));
        assertEquals("[]", new String(get("/files/unknownunknownunknown", KEY).body(), StandardCharsets.UTF_8));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aUnicodeNameDownloadsWithRfc5987DispositionAndChunkedUploadsWork() throws Exception {
        MultipartBody body = new MultipartBody().file("file", "résumé ü.txt", "hello".getBytes(StandardCharsets.UTF_8));
        byte[] bytes = body.build();
        HttpResponse<String> response = http.send(
                request("/upload", KEY)
                        .header("Content-Type", body.contentType())
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
                        .build(),
                HttpResponse.BodyHandlers.ofString()); // no length: chunked transfer encoding
        assertEquals(200, response.statusCode(), response.body());
        Map<String, Object> up = json.readValue(response.body(), Map.class);
        String session = (String) up.get("session_id");
        String id =
                (String) ((List<Map<String, Object>>) up.get("files")).get(0).get("fileId");
        HttpResponse<byte[]> download = get("/download/" + session + "/" + id, KEY);
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), download.body());
        assertEquals(
                "attachment; filename=\"r_sum_ _.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%C3%BC.txt",
                download.headers().firstValue("Content-Disposition").orElseThrow());
        assertEquals("text/plain", download.headers().firstValue("Content-Type").orElseThrow());
        HttpResponse<String> preflight = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/download/" + session + "/" + id))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, preflight.statusCode());
        assertEquals(
                "*",
                preflight.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
    }

    @Test
    @SuppressWarnings("unchecked")
    void unsafeNamesOversizedFilesAndBatchesAreReportedPerFile() throws Exception {
        Map<String, Object> unsafe = upload(
                "/upload",
                new MultipartBody().file("file", "../escape.txt", "x".getBytes(StandardCharsets.UTF_8)),
                KEY,
                400);
        assertEquals("unsafe_filename", unsafe.get("error_type"));
        Map<String, Object> big =
                upload("/upload", new MultipartBody().file("file", "big.bin", new byte[(1 << 20) + 1]), KEY, 413);
        assertEquals("too_large", big.get("error_type"));
        Map<String, Object> batch = upload(
                "/upload/batch",
                new MultipartBody()
                        .file("files", "ok.txt", "fine".getBytes(StandardCharsets.UTF_8))
                        .file("files", "/abs.txt", "bad".getBytes(StandardCharsets.UTF_8)),
                KEY,
                200);
        assertEquals("partial_success", batch.get("message"));
        assertEquals(1, batch.get("succeeded"));
        assertEquals(1, batch.get("failed"));
        List<Map<String, Object>> results = (List<Map<String, Object>>) batch.get("files");
        assertEquals("success", results.get(0).get("status"));
        assertEquals("error", results.get(1).get("status"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void anotherPrincipalGets404AndDeletesAreFinal() throws Exception {
        Map<String, Object> up = upload(
                "/upload",
                new MultipartBody().file("file", "mine.txt", "private".getBytes(StandardCharsets.UTF_8)),
                KEY,
                200);
        String session = (String) up.get("session_id");
        String id =
                (String) ((List<Map<String, Object>>) up.get("files")).get(0).get("fileId");
        String other = StandaloneApiTest.OTHER_KEY;
        assertEquals(404, get("/download/" + session + "/" + id, other).statusCode());
        assertEquals(404, get("/sessions/" + session + "/objects/" + id, other).statusCode());
        assertEquals("[]", new String(get("/files/" + session, other).body(), StandardCharsets.UTF_8));
        assertEquals(
                404,
                http.send(
                                request("/files/" + session + "/" + id, other)
                                        .DELETE()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
        HttpResponse<String> deleted = http.send(
                request("/files/" + session + "/" + id, KEY).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, deleted.statusCode());
        assertEquals("", deleted.body());
        assertEquals(404, get("/download/" + session + "/" + id, KEY).statusCode());
        assertEquals(
                404,
                http.send(
                                request("/files/" + session + "/" + id, KEY)
                                        .DELETE()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
        assertEquals(401, get("/files/" + session, "wrong").statusCode());
    }

    /**
     * A client offering an h2c upgrade on an upload (curl --http2 on http://) is answered over HTTP/1.1 at once.
     * With HTTP/2 on, Vert.x switched protocols and then waited 60 s for a body it had already been sent.
     */
    @Test
    void anUploadOfferingAnH2cUpgradeIsAnsweredOverHttp11() throws Exception {
        MultipartBody body = new MultipartBody().file("file", "h2c.txt", "upgrade me not\n".getBytes());
        byte[] content = body.build();
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            String head = "POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + KEY + "\r\n"
                    + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
                    + "Content-Type: " + body.contentType() + "\r\nContent-Length: " + content.length + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().write(content);
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(
                            socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII))
                    .readLine();
            assertEquals("HTTP/1.1 200 OK", status);
        }
    }
}
