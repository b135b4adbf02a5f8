package io.kubecoderun.standalone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.core.testing.MultipartBody;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What LibreChat's clients do against the standalone app, ported from their source: the 3.1.63 continuation through
 * {@code GET /files?detail=full}, {@code deleted_files}, {@code timeout} in milliseconds, the execution-profile
 * assertion, {@code Authorization: Basic} from a base URL with the key in it, tool search's request, downloads of
 * every output, and the upload cap.
 */
@QuarkusTest
@TestProfile(StandaloneApiTest.Profile.class)
class StandaloneClientContractTest extends StandaloneHttp {

    record Reply(int status, Map<String, Object> body, HttpResponse<String> raw) {}

    @SuppressWarnings("unchecked")
    private Reply send(HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        String text = response.body();
        Map<String, Object> parsed =
                text.isEmpty() || !text.startsWith("{") ? Map.of() : json.readValue(text, Map.class);
        return new Reply(response.statusCode(), parsed, response);
    }

    private Reply exec(Object body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/exec"))
                .header("Content-Type", "application/json")
                .header("User-Agent", "LibreChat/1.0")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    private Map<String, Object> execOk(Object body) throws Exception {
        Reply reply = exec(body, "X-API-Key", KEY);
        assertEquals(200, reply.status(), reply.raw().body());
        return reply.body();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> upload(String path, MultipartBody body, int expected) throws Exception {
        Reply reply = send(request(path, KEY)
                .header("Content-Type", body.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.build()))
                .build());
        assertEquals(expected, reply.status(), reply.raw().body());
        return reply.body();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> files(Map<String, Object> reply) {
        Object files = reply.get("files");
        return files == null ? List.of() : (List<Map<String, Object>>) files;
    }

    // 1. @librechat/agents 3.1.63, CodeExecutor.ts and fetchSessionFiles: a session without injected files is
    // continued from GET /files/{session_id}?detail=full, and each entry becomes an input as below.
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> legacyFileReferences(String sessionId) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/v1/files/" + sessionId + "?detail=full"))
                        .header("User-Agent", "LibreChat/1.0")
                        .header("X-API-Key", KEY)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        List<Map<String, Object>> listing = json.readValue(response.body(), List.class);
        List<Map<String, Object>> references = new ArrayList<>();
        for (Map<String, Object> file : listing) {
            // const nameParts = file.name.split('/');
            // const id = nameParts.length > 1 ? nameParts[1].split('.')[0] : '';
            // return { session_id, id, name: file.metadata['original-filename'] };
            String[] nameParts = ((String) file.get("name")).split("/", -1);
            String id = nameParts.length > 1 ? nameParts[1].split("\\.", -1)[0] : "";
            Map<String, Object> reference = new LinkedHashMap<>();
            reference.put("session_id", sessionId);
            reference.put("id", id);
            reference.put("name", ((Map<String, Object>) file.get("metadata")).get("original-filename"));
            references.add(reference);
            assertEquals(file.get("id"), id, "newer clients read 'id'; it names the same file");
        }
        return references;
    }

    @Test
    void anOlderClientContinuesASessionFromTheFullListing() throws Exception {
        Map<String, Object> up = upload(
                "/upload/batch",
                new MultipartBody()
                        .file("file", "data.v2.csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8))
                        .file("file", "dir/notes.txt", "hello".getBytes(StandardCharsets.UTF_8)),
                200);
        String session = (String) up.get("session_id");
        List<Map<String, Object>> injected = new ArrayList<>();
        for (Map<String, Object> f : files(up)) {
            injected.add(Map.of("id", f.get("fileId"), "session_id", session, "name", f.get("filename")));
        }
        Map<String, Object> first =
                execOk(Map.of("lang", "py", "code", "open('out.txt', 'w').write('made here')", "files", injected));
        assertEquals(session, first.get("session_id"));

        List<Map<String, Object>> references = legacyFileReferences(session);
        assertEquals(3, references.size(), references.toString());
        Map<String, Object> second = execOk(Map.of(
                "lang",
                "py",
                "code",
                "print(open('data.v2.csv').read().strip(), open('dir/notes.txt').read(), open('out.txt').read(),"
                        + " sep='|')",
                "session_id",
                session,
                "files",
                references));
        assertEquals("a,b\n1,2|hello|made here\n", second.get("stdout"), String.valueOf(second.get("stderr")));
    }

    // 2. ToolNode.updateCodeSession removes a tracked input only when deleted_files names it, by the name the
    // request mounted it under.
    @Test
    void deletedFilesNamesExactlyTheInputsTheRunRemoved() throws Exception {
        Map<String, Object> up = upload(
                "/upload/batch",
                new MultipartBody()
                        .file("file", "keep.txt", "k".getBytes(StandardCharsets.UTF_8))
                        .file("file", "gone.txt", "g".getBytes(StandardCharsets.UTF_8))
                        .file("file", "sub/also-gone.txt", "a".getBytes(StandardCharsets.UTF_8)),
                200);
        String session = (String) up.get("session_id");
        List<Map<String, Object>> injected = new ArrayList<>();
        for (Map<String, Object> f : files(up)) {
            injected.add(Map.of("id", f.get("fileId"), "storage_session_id", session, "name", f.get("filename")));
        }
        Map<String, Object> removed = execOk(Map.of(
                "lang",
                "py",
                "code",
                "import os\nos.remove('gone.txt')\nos.remove('sub/also-gone.txt')\nopen('new.txt','w').write('n')",
                "files",
                injected));
        assertEquals(List.of("gone.txt", "sub/also-gone.txt"), removed.get("deleted_files"), removed.toString());
        assertEquals(
                List.of("new.txt"),
                files(removed).stream().map(f -> f.get("name")).toList());

        Map<String, Object> untouched =
                execOk(Map.of("lang", "py", "code", "print(open('keep.txt').read())", "files", injected.subList(0, 1)));
        Object none = untouched.get("deleted_files");
        assertTrue(none == null || ((List<?>) none).isEmpty(), untouched.toString());
    }

    // 3. Every LibreChat caller sends timeout in milliseconds (tool search 5000, programmatic 15000..300000).
    @Test
    void timeoutIsMilliseconds() throws Exception {
        long start = System.nanoTime();
        Map<String, Object> cut =
                execOk(Map.of("lang", "py", "code", "import time\ntime.sleep(3)\nprint('finished')", "timeout", 1500));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals("timeout", cut.get("status"), cut.toString());
        assertEquals(124, cut.get("exit_code"));
        assertTrue(elapsedMs >= 1400 && elapsedMs < 2900, "took " + elapsedMs + " ms");
        assertTrue(((String) cut.get("stderr")).contains("Execution timed out after 1.5 seconds"), cut.toString());

        Map<String, Object> done =
                execOk(Map.of("lang", "py", "code", "import time\ntime.sleep(1)\nprint('finished')", "timeout", 5000));
        assertEquals("ok", done.get("status"), done.toString());
        assertEquals("finished\n", done.get("stdout"));

        // A small number is seconds, as this API's first callers sent it; no LibreChat client sends under 1000.
        Map<String, Object> legacy =
                execOk(Map.of("lang", "py", "code", "import time\ntime.sleep(1)\nprint('finished')", "timeout", "30"));
        assertEquals("ok", legacy.get("status"), legacy.toString());
    }

    // 4. CodeExecutor.ts getCodeApiCapabilityErrorMessage, ported: a body whose `code ?? error` is a capability
    // code becomes a permanent "not supported" message that the model is told not to retry.
    private static final List<String> CAPABILITY_CODES = List.of(
            "bridge_worker_mismatch",
            "execution_profile_mismatch",
            "capability_mismatch",
            "unsupported_capability",
            "stateful_workspace_unsupported");

    private static String clientCapabilityError(Map<String, Object> body) {
        Object code = body.get("code") != null ? body.get("code") : body.get("error");
        if (!(code instanceof String s) || !CAPABILITY_CODES.contains(s.toLowerCase(java.util.Locale.ROOT))) {
            return null;
        }
        return "Code execution is not supported by the selected environment.";
    }

    @Test
    void everyAnswerNamesTheExecutionProfileAndAStatefulAssertionFailsClosed() throws Exception {
        String header = "X-CodeAPI-Execution-Profile";
        Reply asked = exec(
                Map.of("lang", "py", "code", "print(1)"), "X-API-Key", KEY, "X-CodeAPI-Expected-Profile", "default");
        assertEquals(200, asked.status(), asked.raw().body());
        assertEquals("default", asked.raw().headers().firstValue(header).orElse(null));

        Reply older = exec(Map.of("lang", "py", "code", "print(1)"), "X-API-Key", KEY);
        assertEquals(200, older.status());
        assertEquals("default", older.raw().headers().firstValue(header).orElse(null));

        Reply stateful = exec(
                Map.of("lang", "py", "code", "print(1)"), "X-API-Key", KEY, "x-codeapi-expected-profile", "stateful");
        assertEquals(409, stateful.status(), stateful.raw().body());
        assertEquals("default", stateful.raw().headers().firstValue(header).orElse(null));
        assertEquals("execution_profile_mismatch", stateful.body().get("code"));
        assertEquals("execution_profile_mismatch", stateful.body().get("error_type"));
        assertEquals("stateful", stateful.body().get("expected_profile"));
        assertEquals("default", stateful.body().get("actual_profile"));
        assertNotNull(clientCapabilityError(stateful.body()), "the client maps it to a permanent capability error");
        assertEquals(21, ((String) stateful.body().get("request_id")).length());

        Reply unauthorized = exec(Map.of("lang", "py", "code", "print(1)"));
        assertEquals(401, unauthorized.status());
        assertEquals("default", unauthorized.raw().headers().firstValue(header).orElse(null));
        assertNull(clientCapabilityError(unauthorized.body()));
        for (String path : new String[] {"/health", "/v1/files/" + "x".repeat(21), "/no/such/route"}) {
            HttpResponse<String> any =
                    http.send(request(path, KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("default", any.headers().firstValue(header).orElse(null), path + " " + any.statusCode());
        }
    }

    // 5 and 6. A base URL written https://KEY@host/v1 makes node-fetch send Basic base64("KEY") (url.parse's auth)
    // and axios Basic base64("KEY:"); tool search (ToolSearch.ts) sends nothing else: no x-api-key at all.
    private static String basic(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void basicCredentialsCarryTheKeyAsTheUserPart() throws Exception {
        Map<String, Object> py = Map.of("lang", "py", "code", "print(6 * 7)");
        Reply axios = exec(py, "Authorization", basic(KEY + ":"));
        assertEquals(200, axios.status(), axios.raw().body());
        assertEquals("42\n", axios.body().get("stdout"));
        assertEquals(200, exec(py, "Authorization", basic(KEY)).status());
        Reply wrong = exec(py, "Authorization", basic("not-a-key:"));
        assertEquals(401, wrong.status());
        assertEquals("unauthorized", wrong.body().get("error_type"));
        assertEquals(401, exec(py, "Authorization", "Basic %%%not-base64").status());
        assertEquals(401, exec(py, "Authorization", basic(":")).status());
    }

    @Test
    void toolSearchsRequestNeedsTheKeyInTheBaseUrlUnlessTheNetworkIsTrusted() throws Exception {
        Map<String, Object> search =
                Map.of("lang", "js", "code", "console.log(JSON.stringify({found: ['a_tool']}))", "timeout", 5000);
        Reply anonymous = exec(search);
        assertEquals(401, anonymous.status(), "no unauthenticated path by default");
        Reply keyed = exec(search, "Authorization", basic(KEY));
        assertEquals(200, keyed.status(), keyed.raw().body());
        assertEquals(
                "{\"found\":[\"a_tool\"]}\n",
                keyed.body().get("stdout"),
                keyed.raw().body());
    }

    // 7. LibreChat downloads every output at /download/{file.storage_session_id ?? session_id}/{id}.
    @Test
    void everyOutputAndEveryChangedInputDownloadsWhereTheClientLooks() throws Exception {
        Map<String, Object> up = upload(
                "/upload",
                new MultipartBody()
                        .file("file", "report.txt", "draft".getBytes(StandardCharsets.UTF_8))
                        .field("entity_id", "agent-downloads"),
                200);
        String uploadSession = (String) up.get("storage_session_id");
        String fileId = (String) files(up).get(0).get("fileId");
        String execSession =
                (String) execOk(Map.of("lang", "py", "code", "print(1)")).get("session_id");
        Map<String, Object> result = execOk(Map.of(
                "lang",
                "py",
                "code",
                "open('report.txt','a').write(' final')\nimport os\nos.makedirs('plots', exist_ok=True)\n"
                        + "open('plots/p.bin','wb').write(bytes(range(256)))",
                "session_id",
                execSession,
                "files",
                List.of(Map.of(
                        "id", fileId, "storage_session_id", uploadSession, "name", "report.txt", "kind", "user"))));
        Map<String, byte[]> downloads = new TreeMap<>();
        for (Map<String, Object> file : files(result)) {
            Object storage = file.get("storage_session_id");
            String where = (String) (storage != null ? storage : result.get("session_id"));
            HttpResponse<byte[]> d = http.send(
                    request("/v1/download/" + where + "/" + file.get("id"), KEY)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, d.statusCode(), file.toString());
            downloads.put((String) file.get("name"), d.body());
            if (file.get("name").equals("report.txt")) {
                assertEquals(Map.of("id", fileId, "storage_session_id", uploadSession), file.get("modified_from"));
            }
        }
        assertEquals(List.of("plots/p.bin", "report.txt"), List.copyOf(downloads.keySet()));
        assertEquals("draft final", new String(downloads.get("report.txt"), StandardCharsets.UTF_8));
        byte[] expected = new byte[256];
        for (int i = 0; i < 256; i++) {
            expected[i] = (byte) i;
        }
        assertArrayEquals(expected, downloads.get("plots/p.bin"));
        assertFalse(String.valueOf(result.get("stderr")).contains("skipped"));
    }

    // 7. An upload over the file cap (MAX_FILES_PER_SESSION, 3 in this profile) is refused whole.
    @Test
    void anUploadOverTheFileCapIsRefusedWithTheLimit() throws Exception {
        for (String path : new String[] {"/upload/batch", "/upload"}) {
            MultipartBody four = new MultipartBody();
            for (int i = 0; i < 4; i++) {
                four.file("file", "f" + i + ".txt", ("x" + i).getBytes(StandardCharsets.UTF_8));
            }
            Map<String, Object> refused = upload(path, four, 413);
            assertEquals(true, refused.get("filesLimitReached"), path + " " + refused);
            assertEquals(3, refused.get("maxFiles"));
            assertEquals("files_limit_reached", refused.get("error_type"));
        }
        MultipartBody three = new MultipartBody();
        for (int i = 0; i < 3; i++) {
            three.file("file", "f" + i + ".txt", ("x" + i).getBytes(StandardCharsets.UTF_8));
        }
        Map<String, Object> ok = upload("/upload/batch", three, 200);
        assertEquals("success", ok.get("message"));
        assertEquals(3, ok.get("succeeded"));
    }
}
