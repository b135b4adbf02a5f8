package io.kubecoderun.runner.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.runner.RunnerException;
import io.kubecoderun.runner.wire.FileEntry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Path confinement, one test per attack. User code runs as the same user as the runner's file service sees and
 * can plant links in the working directory; none of these may let a caller read or write outside it.
 */
class WorkspaceTest {
    @TempDir
    Path temp;

    Path root;
    Path outside;
    Workspace workspace;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(temp.resolve("data"));
        outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        workspace = new Workspace(root, 1024, 100);
    }

    private static InputStream body(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "rejects \"{0}\"")
    @ValueSource(
            strings = {
                "../outside/secret.txt",
                "a/../../outside/secret.txt",
                "..",
                "a/..",
                "./a",
                "a/./b",
                "a//b",
                "/etc/passwd",
                "",
                "a/",
                "tab\there",
                "nul\u0000byte",
                "new\nline"
            })
    void dotDotAbsoluteEmptyAndControlCharacterPathsAreRejected(String path) {
        RunnerException e = assertThrows(RunnerException.class, () -> workspace.confine(path));
        assertEquals(400, e.status());
    }

    @Test
    void aSiblingDirectoryWithTheSamePrefixIsOutside() throws IOException {
        Path sibling = Files.createDirectories(temp.resolve("data2"));
        Files.writeString(sibling.resolve("x"), "sibling");
        assertThrows(RunnerException.class, () -> workspace.confine("../data2/x"));
        // That is the ".." rule; no relative path reaches the resolved-path check with a sibling, so it is given
        // the sibling's file itself. As strings, ".../data2/x" starts with ".../data"; as paths it does not.
        RunnerException e = assertThrows(RunnerException.class, () -> workspace.inside(sibling.resolve("x")));
        assertEquals(400, e.status());
        assertEquals(
                400,
                assertThrows(RunnerException.class, () -> workspace.inside(sibling))
                        .status());
        assertEquals(
                400,
                assertThrows(RunnerException.class, () -> workspace.inside(root))
                        .status(),
                "the root itself is no file in it");
        assertEquals(root.resolve("x"), workspace.inside(root.resolve("x")));
    }

    @Test
    void overLongNamesAreRejected() {
        assertThrows(RunnerException.class, () -> workspace.confine("a".repeat(256)));
        assertThrows(RunnerException.class, () -> workspace.confine(("d/").repeat(2100) + "f"));
        workspace.confine("a".repeat(255));
    }

    @Test
    void aSymlinkToAFileOutsideCannotBeRead() throws IOException {
        Files.createSymbolicLink(root.resolve("leak"), outside.resolve("secret.txt"));
        RunnerException e = assertThrows(RunnerException.class, () -> workspace.open("leak"));
        assertEquals(400, e.status());
    }

    @Test
    void aSymlinkedDirectoryCannotBeReadThrough() throws IOException {
        Files.createSymbolicLink(root.resolve("dir"), outside);
        assertThrows(RunnerException.class, () -> workspace.open("dir/secret.txt"));
    }

    @Test
    void writingThroughASymlinkedParentIsRefusedAndWritesNothingOutside() throws IOException {
        Files.createSymbolicLink(root.resolve("dir"), outside);
        assertThrows(RunnerException.class, () -> workspace.write("dir/planted.txt", body("x")));
        assertFalse(Files.exists(outside.resolve("planted.txt")));
    }

    @Test
    void writingOverASymlinkIsRefusedAndLeavesItsTargetAlone() throws IOException {
        Files.createSymbolicLink(root.resolve("link"), outside.resolve("secret.txt"));
        assertThrows(RunnerException.class, () -> workspace.write("link", body("overwritten")));
        assertEquals("secret", Files.readString(outside.resolve("secret.txt")));
    }

    @Test
    void deletingASymlinkRemovesTheLinkNotItsTarget() throws IOException {
        Files.createSymbolicLink(root.resolve("link"), outside.resolve("secret.txt"));
        workspace.delete("link");
        assertFalse(Files.exists(root.resolve("link"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(outside.resolve("secret.txt")));
    }

    @Test
    void writesCreateParentsAndListingsAreRecursiveWithHashes() throws IOException {
        workspace.write("a/b/c.txt", body("abc"));
        workspace.write("top.txt", body(""));
        Files.createSymbolicLink(root.resolve("link"), outside.resolve("secret.txt"));
        Workspace.Listing listing = workspace.list();
        assertFalse(listing.truncated());
        List<FileEntry> files = listing.files();
        assertEquals(
                List.of("a/b/c.txt", "top.txt"),
                files.stream().map(FileEntry::path).toList());
        assertEquals(
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                files.get(0).sha256());
        assertEquals(3, files.get(0).size());
        assertEquals(
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                files.get(1).sha256());
    }

    @Test
    void anUploadOverTheCapIsRefusedAndLeavesNoPartialFile() throws IOException {
        RunnerException e = assertThrows(
                RunnerException.class, () -> workspace.write("big.bin", new ByteArrayInputStream(new byte[2048])));
        assertEquals(413, e.status());
        try (var files = Files.list(root)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void listingStopsAtItsCapAndSaysSo() throws IOException {
        Workspace small = new Workspace(root, 1024, 3);
        for (int i = 0; i < 5; i++) {
            small.write("f" + i, body("x"));
        }
        Workspace.Listing listing = small.list();
        assertTrue(listing.truncated());
        assertEquals(3, listing.files().size());
    }

    @Test
    void missingFilesAre404AndDirectoriesAreNotFiles() throws IOException {
        assertEquals(
                404,
                assertThrows(RunnerException.class, () -> workspace.open("absent"))
                        .status());
        assertEquals(
                404,
                assertThrows(RunnerException.class, () -> workspace.delete("absent"))
                        .status());
        Files.createDirectories(root.resolve("dir"));
        assertEquals(
                400,
                assertThrows(RunnerException.class, () -> workspace.open("dir")).status());
        assertEquals(
                400,
                assertThrows(RunnerException.class, () -> workspace.delete("dir"))
                        .status());
    }
}
