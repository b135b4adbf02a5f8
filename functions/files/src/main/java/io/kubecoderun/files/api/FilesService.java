package io.kubecoderun.files.api;

import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.api.ContentTypes;
import io.kubecoderun.core.api.ErrorType;
import io.kubecoderun.core.auth.Principal;
import io.kubecoderun.core.config.KcrSettings;
import io.kubecoderun.core.ids.FileNames;
import io.kubecoderun.core.ids.Ids;
import io.kubecoderun.core.store.FileRecord;
import io.kubecoderun.core.store.FileStore;
import io.kubecoderun.core.store.Session;
import io.kubecoderun.core.store.SessionStore;
import io.kubecoderun.core.store.StoredObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Session files for the files routes: which session an upload goes to (the caller's own: the named session, else
 * the entity's, else a new one), storing bytes and records, and finding a caller's file (another principal's is
 * simply not found).
 */
@ApplicationScoped
public class FilesService {

    @Inject
    SessionStore sessions;

    @Inject
    FileStore files;

    @Inject
    KcrSettings settings;

    /** What an upload names besides its parts. */
    public record UploadFields(
            String sessionId, String entityId, String kind, String id, String version, boolean readOnly) {}

    public Session sessionFor(Principal principal, UploadFields fields) {
        if (fields.sessionId() != null) {
            Optional<Session> named = sessions.find(fields.sessionId(), principal.id());
            if (named.isPresent()) {
                sessions.touch(named.get().id(), settings.sessionTtl());
                return named.get();
            }
        }
        if (fields.entityId() != null) {
            if (!fields.entityId().matches("[A-Za-z0-9_-]{1,40}")) {
                throw new ApiException.BadRequest(
                        ErrorType.INVALID_ENTITY_ID, "'entity_id' must be 1 to 40 of [A-Za-z0-9_-]");
            }
            Optional<Session> byEntity = sessions.findByEntity(principal.id(), fields.entityId());
            if (byEntity.isPresent()) {
                sessions.touch(byEntity.get().id(), settings.sessionTtl());
                return byEntity.get();
            }
        }
        return sessions.create(principal.id(), fields.entityId(), settings.sessionTtl());
    }

    /** Refuses an upload carrying more files than one request may ({@code MAX_FILES_PER_SESSION}). */
    public void checkCount(int files) {
        if (files > settings.maxUploadFiles()) {
            throw new ApiException.FilesLimitReached(settings.maxUploadFiles());
        }
    }

    /** Stores one uploaded part; the name is validated first, the size capped. */
    public FileRecord store(Session session, String name, Path upload, long size, UploadFields fields) {
        FileNames.problem(name).ifPresent(problem -> {
            throw new ApiException.BadRequest(ErrorType.UNSAFE_FILENAME, problem);
        });
        if (size > settings.maxFileBytes()) {
            throw new ApiException.TooLarge(
                    name + " exceeds the per-file limit of " + settings.maxFileBytes() + " bytes");
        }
        String id = fields.id() != null && Ids.acceptable(fields.id()) ? fields.id() : Ids.next();
        String type = ContentTypes.of(name);
        StoredObject stored;
        try (InputStream in = Files.newInputStream(upload)) {
            stored = files.put(FileRecord.objectKey(session.id(), id), in, settings.maxFileBytes(), type);
        } catch (IOException e) {
            throw new ApiException.Unprocessable("the upload could not be read");
        }
        FileRecord record = new FileRecord(
                id,
                session.id(),
                name,
                stored.size(),
                stored.etag(),
                type,
                stored.lastModified(),
                fields.kind(),
                fields.version(),
                fields.readOnly(),
                null,
                null);
        sessions.putFile(record);
        return record;
    }

    /** The caller's file, or 404. */
    public FileRecord file(Principal principal, String sessionId, String fileId) {
        if (sessions.find(sessionId, principal.id()).isEmpty()) {
            throw new ApiException.NotFound("file not found");
        }
        return sessions.file(sessionId, fileId).orElseThrow(() -> new ApiException.NotFound("file not found"));
    }

    /** The caller's files of a session; an unknown or foreign session lists nothing. */
    public List<FileRecord> list(Principal principal, String sessionId) {
        if (sessions.find(sessionId, principal.id()).isEmpty()) {
            return List.of();
        }
        return sessions.files(sessionId);
    }

    public InputStream open(FileRecord record) {
        return files.open(record.objectKey());
    }

    public void delete(Principal principal, String sessionId, String fileId) {
        FileRecord record = file(principal, sessionId, fileId);
        // The record first: a crash in between leaves unreferenced bytes (the sweep's), never a record without them.
        sessions.removeFile(sessionId, fileId);
        files.delete(record.objectKey());
    }
}
