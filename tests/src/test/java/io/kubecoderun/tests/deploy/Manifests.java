package io.kubecoderun.tests.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The objects a kustomization under {@code knative/} renders to, as fabric8's typed models. {@code kubectl
 * kustomize} renders when kubectl is installed; otherwise a small renderer does, which knows exactly the kustomize
 * features the manifests use (resources, images, configMapGenerator with behavior merge, generatorOptions, patches
 * by file) and refuses any other, so a new feature cannot slip past the tests unrendered. Where kubectl exists,
 * the tests check that both renderers agree.
 */
public final class Manifests {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SUPPORTED =
            Set.of("apiVersion", "kind", "resources", "images", "generatorOptions", "configMapGenerator", "patches");

    private Manifests() {}

    static Path root() {
        return Path.of(System.getProperty("kcr.root", "..")).toAbsolutePath().normalize();
    }

    public static Path knative() {
        return root().resolve("knative");
    }

    /** The overlays an operator applies: every directory under knative/overlays. */
    static List<Path> overlays() {
        try (var dirs = Files.list(knative().resolve("overlays"))) {
            return dirs.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** kubectl's rendering when kubectl is on this machine. */
    static Optional<List<JsonNode>> kubectlRender(Path dir) {
        if (!kubectlPresent()) {
            return Optional.empty();
        }
        try {
            Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString())
                    .redirectErrorStream(false)
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed: " + err);
            }
            return Optional.of(documents(new String(out, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static boolean kubectlPresent() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "kubectl"))) {
                return true;
            }
        }
        return false;
    }

    /** kubectl's rendering where it exists, else ours; as typed objects. */
    static List<HasMetadata> render(Path dir) {
        List<JsonNode> docs = kubectlRender(dir).orElseGet(() -> renderOwn(dir));
        List<HasMetadata> objects = new ArrayList<>();
        for (JsonNode doc : docs) {
            objects.add(Serialization.unmarshal(doc.toString(), HasMetadata.class));
        }
        return objects;
    }

    /** The renderer used without kubectl (see the class comment). */
    static List<JsonNode> renderOwn(Path dir) {
        JsonNode k = read(dir.resolve("kustomization.yaml"));
        Iterator<String> names = k.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!SUPPORTED.contains(name)) {
                throw new IllegalStateException(dir + "/kustomization.yaml uses " + name
                        + ", which the manifest tests cannot render without kubectl; teach Manifests.renderOwn");
            }
        }
        Map<String, ObjectNode> objects = new LinkedHashMap<>();
        for (JsonNode resource : k.path("resources")) {
            Path path = dir.resolve(resource.asText()).normalize();
            List<JsonNode> docs = Files.isDirectory(path) ? renderOwn(path) : documents(readString(path));
            for (JsonNode doc : docs) {
                ObjectNode previous = objects.put(key(doc), (ObjectNode) doc);
                if (previous != null) {
                    throw new IllegalStateException("two resources named " + key(doc) + " under " + dir);
                }
            }
        }
        for (JsonNode generator : k.path("configMapGenerator")) {
            if (!"merge".equals(generator.path("behavior").asText())) {
                throw new IllegalStateException(dir + ": only configMapGenerator behavior merge is rendered here");
            }
            String key = "ConfigMap/" + generator.path("namespace").asText() + "/"
                    + generator.path("name").asText();
            ObjectNode target = objects.get(key);
            if (target == null) {
                throw new IllegalStateException(dir + ": configMapGenerator merges into missing " + key);
            }
            ObjectNode data = target.with("data");
            for (JsonNode literal : generator.path("literals")) {
                String[] kv = literal.asText().split("=", 2);
                data.put(kv[0], kv[1]);
            }
        }
        for (JsonNode patch : k.path("patches")) {
            for (JsonNode doc :
                    documents(readString(dir.resolve(patch.path("path").asText())))) {
                ObjectNode target = objects.get(key(doc));
                if (target == null) {
                    throw new IllegalStateException(dir + ": patch for missing " + key(doc));
                }
                // kustomize applies a JSON merge patch to a custom resource and a strategic merge patch to a
                // built-in kind; the patches here (Knative Service, HTTPRoute, ServiceAccounts gaining
                // imagePullSecrets) set only fields their targets lack or scalars, where the two agree.
                mergePatch(target, doc);
            }
        }
        for (JsonNode image : k.path("images")) {
            for (ObjectNode object : objects.values()) {
                for (JsonNode container : object.findValues("containers")) {
                    for (JsonNode c : container) {
                        String ref = c.path("image").asText();
                        String name = ref.contains(":") ? ref.substring(0, ref.lastIndexOf(':')) : ref;
                        if (name.equals(image.path("name").asText())) {
                            String newName = image.path("newName").asText(name);
                            String tag = image.has("newTag")
                                    ? image.path("newTag").asText()
                                    : ref.substring(name.length() + 1);
                            ((ObjectNode) c).put("image", newName + ":" + tag);
                        }
                    }
                }
            }
        }
        return new ArrayList<>(objects.values());
    }

    static String key(JsonNode doc) {
        return doc.path("kind").asText() + "/"
                + doc.path("metadata").path("namespace").asText() + "/"
                + doc.path("metadata").path("name").asText();
    }

    /** RFC 7386. */
    private static void mergePatch(ObjectNode target, JsonNode patch) {
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            if (value.isNull()) {
                target.remove(field.getKey());
            } else if (value.isObject() && target.path(field.getKey()).isObject()) {
                mergePatch((ObjectNode) target.get(field.getKey()), value);
            } else {
                target.set(field.getKey(), value.deepCopy());
            }
        }
    }

    public static List<JsonNode> documents(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser parser = ((YAMLFactory) YAML.getFactory()).createParser(yaml)) {
            for (Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode() && doc.size() > 0) {
                    docs.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    static JsonNode read(Path file) {
        List<JsonNode> docs = documents(readString(file));
        if (docs.size() != 1) {
            throw new IllegalStateException(file + ": expected one YAML document, found " + docs.size());
        }
        return docs.get(0);
    }

    public static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
