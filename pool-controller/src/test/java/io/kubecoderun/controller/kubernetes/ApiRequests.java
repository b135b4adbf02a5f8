package io.kubecoderun.controller.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * What the controller asks the API server, as RBAC sees it: every request the mock server received from the
 * controller's own client (told apart by its User-Agent from the test kubelet's and the test's), turned into
 * {@code group/resource verb} the way the API server authorizes it — GET one is get, GET many list, a watch watch,
 * POST create, PUT update, PATCH patch, DELETE one delete, DELETE many deletecollection.
 */
final class ApiRequests {
    static final String CONTROLLER_AGENT = "kubecoderun-pool-controller-under-test";

    /** A client like {@code client} that the recorder attributes to the controller. */
    static KubernetesClient controllerClient(KubernetesClient client) {
        return controllerClient(client, (method, uri) -> uri);
    }

    /**
     * As above, each request's address first passed through {@code rewrite} (method, URI → URI): how a test makes
     * the API server refuse some of one replica's requests.
     */
    static KubernetesClient controllerClient(
            KubernetesClient client, java.util.function.BiFunction<String, java.net.URI, java.net.URI> rewrite) {
        Config config = new ConfigBuilder(client.getConfiguration())
                .withUserAgent(CONTROLLER_AGENT)
                .build();
        return new KubernetesClientBuilder()
                .withConfig(config)
                .withHttpClientBuilderConsumer(builder ->
                        builder.addOrReplaceInterceptor("rewrite", new io.fabric8.kubernetes.client.http.Interceptor() {
                            @Override
                            public void before(
                                    io.fabric8.kubernetes.client.http.BasicBuilder request,
                                    io.fabric8.kubernetes.client.http.HttpRequest original,
                                    RequestTags tags) {
                                java.net.URI rewritten = rewrite.apply(original.method(), original.uri());
                                if (!rewritten.equals(original.uri())) {
                                    request.uri(rewritten);
                                }
                            }
                        }))
                .build();
    }

    /** The requests received since the last call, {@code METHOD path}, oldest first; the controller's recorded. */
    static List<String> drain(KubernetesMockServer server, Set<String> controllerUses) throws InterruptedException {
        List<String> requests = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
            requests.add(request.getMethod() + " " + request.getPath());
            if (CONTROLLER_AGENT.equals(request.getHeader("User-Agent"))) {
                controllerUses.add(authorized(request.getMethod(), request.getPath()));
            }
        }
        return requests;
    }

    /** {@code group/resource verb} of one request ({@code ""} is the core group). */
    static String authorized(String method, String pathAndQuery) {
        String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
        String query = pathAndQuery.contains("?") ? pathAndQuery.substring(pathAndQuery.indexOf('?') + 1) : "";
        String[] parts = path.substring(1).split("/");
        // /api/v1/namespaces/NS/RESOURCE[/NAME[/SUB]] or /apis/GROUP/VERSION/namespaces/NS/RESOURCE[/NAME[/SUB]]
        int at = parts[0].equals("api") ? 2 : 3;
        String group = parts[0].equals("api") ? "" : parts[1];
        if (at < parts.length && parts[at].equals("namespaces")) {
            at += 2;
        }
        String resource = parts[at];
        boolean named = parts.length > at + 1;
        if (parts.length > at + 2) {
            resource += "/" + parts[at + 2];
        }
        String verb =
                switch (method) {
                    case "GET" -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
                    case "POST" -> "create";
                    case "PUT" -> "update";
                    case "PATCH" -> "patch";
                    case "DELETE" -> named ? "delete" : "deletecollection";
                    default -> method.toLowerCase(java.util.Locale.ROOT);
                };
        return group + "/" + resource + " " + verb;
    }

    /** Every {@code group/resource verb} the controller's Role in {@code manifest} grants. */
    static Set<String> granted(KubernetesClient client, Path manifest) throws Exception {
        Set<String> granted = new TreeSet<>();
        try (InputStream in = Files.newInputStream(manifest)) {
            for (HasMetadata item : client.load(in).items()) {
                if (item instanceof Role role) {
                    for (PolicyRule rule : role.getRules()) {
                        for (String group : rule.getApiGroups()) {
                            for (String resource : rule.getResources()) {
                                for (String verb : rule.getVerbs()) {
                                    granted.add(group + "/" + resource + " " + verb);
                                }
                            }
                        }
                    }
                }
            }
        }
        return granted;
    }
}
