package io.kubecoderun.files.api;

import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.api.ErrorType;
import io.kubecoderun.core.auth.AuthException;
import io.kubecoderun.core.auth.Authenticator;
import io.kubecoderun.core.auth.Principal;
import io.kubecoderun.core.store.FileRecord;
import io.kubecoderun.core.store.Session;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * The file routes of API.md: {@code /upload}, {@code /upload/batch}, {@code /files/{sid}},
 * {@code /sessions/{sid}/objects/{fid}}, {@code /download/{sid}/{fid}} and {@code DELETE /files/{sid}/{fid}}.
 * Multipart parts are spooled to disk by the server, never held in memory; downloads stream.
 */
@Path("/")
public class FilesResource {
    private static final String CORS_HEADERS = "Authorization, X-API-Key, Content-Type";

    @Inject
    FilesService service;

    @Inject
    Authenticator authenticator;

    private Principal principal(HttpHeaders headers) {
        try {
            return authenticator.authenticate(headers::getHeaderString, null);
        } catch (AuthException e) {
            throw new ApiException.Unauthorized(e.getMessage());
        }
    }

    private static List<FileUpload> parts(List<FileUpload> file, List<FileUpload> files) {
        List<FileUpload> all = new ArrayList<>();
        if (file != null) {
            all.addAll(file);
        }
        if (files != null) {
            all.addAll(files);
        }
        if (all.isEmpty()) {
            throw new ApiException.BadRequest(
                    ErrorType.NO_FILES, "send the file in a multipart part named 'file' or 'files'");
        }
        return all;
    }

    private static FilesService.UploadFields fields(
            String sessionId, String entityId, String kind, String id, String version, String readOnly) {
        if (kind != null && !List.of("user", "agent", "skill").contains(kind)) {
            throw new ApiException.BadRequest(ErrorType.INVALID_KIND, "'kind' must be user, agent or skill");
        }
        return new FilesService.UploadFields(
                blank(sessionId),
                blank(entityId),
                blank(kind),
                blank(id),
                blank(version),
                "true".equalsIgnoreCase(readOnly));
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    @POST
    @Path("upload")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> upload(
            @RestForm("file") List<FileUpload> file,
            @RestForm("files") List<FileUpload> files,
            @RestForm("session_id") String sessionId,
            @RestForm("entity_id") String entityId,
            @RestForm("kind") String kind,
            @RestForm("id") String id,
            @RestForm("version") String version,
            @RestForm("read_only") String readOnly,
            HttpHeaders headers) {
        Principal principal = principal(headers);
        List<FileUpload> uploads = parts(file, files);
        service.checkCount(uploads.size());
        FilesService.UploadFields f = fields(sessionId, entityId, kind, id, version, readOnly);
        Session session = service.sessionFor(principal, f);
        List<Object> stored = new ArrayList<>();
        for (FileUpload upload : uploads) {
            FileRecord record = service.store(
                    session,
                    upload.fileName(),
                    upload.uploadedFile(),
                    upload.size(),
                    uploads.size() == 1
                            ? f
                            : new FilesService.UploadFields(
                                    f.sessionId(), f.entityId(), f.kind(), null, f.version(), f.readOnly()));
            stored.add(Map.of("fileId", record.id(), "filename", record.name()));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("message", "success");
        json.put("session_id", session.id());
        json.put("storage_session_id", session.id());
        json.put("files", stored);
        return json;
    }

    @POST
    @Path("upload/batch")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> batch(
            @RestForm("file") List<FileUpload> file,
            @RestForm("files") List<FileUpload> files,
            @RestForm("session_id") String sessionId,
            @RestForm("entity_id") String entityId,
            @RestForm("kind") String kind,
            @RestForm("version") String version,
            @RestForm("read_only") String readOnly,
            HttpHeaders headers) {
        Principal principal = principal(headers);
        List<FileUpload> uploads = parts(file, files);
        service.checkCount(uploads.size());
        FilesService.UploadFields f = fields(sessionId, entityId, kind, null, version, readOnly);
        Session session = service.sessionFor(principal, f);
        List<Object> results = new ArrayList<>();
        int ok = 0;
        for (FileUpload upload : uploads) {
            Map<String, Object> result = new LinkedHashMap<>();
            try {
                FileRecord record = service.store(session, upload.fileName(), upload.uploadedFile(), upload.size(), f);
                result.put("status", "success");
                result.put("fileId", record.id());
                result.put("filename", record.name());
                ok++;
            } catch (ApiException e) {
                result.put("status", "error");
                result.put("filename", upload.fileName());
                result.put("error", e.getMessage());
            }
            results.add(result);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("message", ok == uploads.size() ? "success" : ok == 0 ? "error" : "partial_success");
        json.put("session_id", session.id());
        json.put("storage_session_id", session.id());
        json.put("files", results);
        json.put("succeeded", ok);
        json.put("failed", uploads.size() - ok);
        return json;
    }

    @GET
    @Path("files/{session_id}")
    @Produces(MediaType.APPLICATION_JSON)
    public List<Map<String, Object>> list(
            @PathParam("session_id") String sessionId, @QueryParam("detail") String detail, HttpHeaders headers) {
        Principal principal = principal(headers);
        String level = detail == null ? "full" : detail;
        if (!List.of("simple", "summary", "full", "normalized").contains(level)) {
            throw new ApiException.BadRequest(
                    ErrorType.INVALID_DETAIL, "'detail' must be simple, summary, full or normalized");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (FileRecord record : service.list(principal, sessionId)) {
            out.add(FileJson.of(record, level));
        }
        return out;
    }

    @GET
    @Path("sessions/{session_id}/objects/{file_id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> object(
            @PathParam("session_id") String sessionId, @PathParam("file_id") String fileId, HttpHeaders headers) {
        return FileJson.full(service.file(principal(headers), sessionId, fileId), new LinkedHashMap<>());
    }

    @GET
    @Path("download/{session_id}/{file_id}")
    public Response download(
            @PathParam("session_id") String sessionId, @PathParam("file_id") String fileId, HttpHeaders headers) {
        FileRecord record = service.file(principal(headers), sessionId, fileId);
        InputStream body = service.open(record);
        return Response.ok(body, record.contentType())
                .header("Content-Length", record.size())
                .header("Content-Disposition", ContentDisposition.attachment(record.name()))
                .header("Access-Control-Allow-Origin", "*")
                .header("Cache-Control", "private, no-store")
                .build();
    }

    @OPTIONS
    @Path("download/{session_id}/{file_id}")
    public Response preflight() {
        return Response.noContent()
                .header("Access-Control-Allow-Origin", "*")
                .header("Access-Control-Allow-Methods", "GET, OPTIONS")
                .header("Access-Control-Allow-Headers", CORS_HEADERS)
                .header("Access-Control-Max-Age", "86400")
                .build();
    }

    @DELETE
    @Path("files/{session_id}/{file_id}")
    public Response delete(
            @PathParam("session_id") String sessionId, @PathParam("file_id") String fileId, HttpHeaders headers) {
        service.delete(principal(headers), sessionId, fileId);
        return Response.ok().build();
    }
}
