package io.kubecoderun.core.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API: s3proxy (copied to {@code target/s3proxy/s3proxy.jar} by the build) on a free loopback port,
 * with the filesystem backend in a temporary directory, as a child process.
 */
public final class S3Proxy implements AutoCloseable {
    private static final String IDENTITY = "kcr-test";
    private static final String CREDENTIAL = "kcr-test-secret";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final int port;

    private S3Proxy(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static S3Proxy start() throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar"))
                .toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IOException(
                    "s3proxy is missing at " + jar + "; the build copies it (mvn generate-test-resources)");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path dir = Files.createTempDirectory("kcr-s3proxy");
        Path properties = dir.resolve("s3proxy.properties");
        Files.writeString(
                properties,
                String.join(
                        "\n",
                        "s3proxy.endpoint=http://127.0.0.1:" + port,
                        "s3proxy.authorization=aws-v2-or-v4",
                        "s3proxy.identity=" + IDENTITY,
                        "s3proxy.credential=" + CREDENTIAL,
                        "jclouds.provider=filesystem",
                        "jclouds.filesystem.basedir=" + Files.createDirectories(dir.resolve("data")),
                        ""));
        Process process = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        jar.toString(),
                        "--properties",
                        properties.toString()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("s3proxy.log").toFile())
                .start();
        try {
            await().atMost(START_TIMEOUT)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IOException("s3proxy exited: " + Files.readString(dir.resolve("s3proxy.log")));
                        }
                        return accepting(port);
                    });
        } catch (ConditionTimeoutException notStarted) {
            process.destroyForcibly();
            throw new IOException("s3proxy did not start within " + START_TIMEOUT.toMillis() + " ms");
        }
        return new S3Proxy(process, port);
    }

    private static boolean accepting(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** A client as the apps configure it: path-style, the URL-connection HTTP client. */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
