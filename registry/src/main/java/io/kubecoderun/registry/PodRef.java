package io.kubecoderun.registry;

/**
 * A sandbox the registry can hand out: a Ready pod (or local runner process) of one language, reached at
 * {@code ip:port}. {@code uid} tells a reused IP or name from the pod that was offered.
 */
public record PodRef(String language, String name, String uid, String ip, int port) {

    public PodRef {
        require(language, "language");
        require(name, "name");
        require(uid, "uid");
        require(ip, "ip");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    private static void require(String value, String what) {
        if (value == null || value.isBlank() || value.indexOf('\n') >= 0 || value.indexOf('\t') >= 0) {
            throw new IllegalArgumentException(what + " must be non-blank without tabs or newlines");
        }
    }

    /** One line, tab-separated: the registry's stored form (names and uids never hold tabs). */
    String encode() {
        return language + "\t" + name + "\t" + uid + "\t" + ip + "\t" + port;
    }

    static PodRef decode(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 5) {
            throw new IllegalStateException("corrupt pod record: " + line);
        }
        return new PodRef(f[0], f[1], f[2], f[3], Integer.parseInt(f[4]));
    }
}
