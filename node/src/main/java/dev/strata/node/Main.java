package dev.strata.node;

/**
 * Entry point of {@code strata-node.jar}: {@code java -jar strata-node.jar run <file.conf>} or
 * {@code java -jar strata-node.jar node <node.conf>}. Everything but
 * the JVM setup and the process exit lives in {@link Cli}, so tests call it without exiting the JVM.
 */
public final class Main {
    private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    private Main() {
    }

    public static void main(String[] args) {
        // On 2 cores the common pool would get parallelism 1 and CompletableFuture callbacks (Pekko's ask) would
        // start a thread each. bin/strata passes the flag; this covers a bare `java -jar`. It only works because
        // nothing has touched the common pool yet.
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
            System.setProperty(COMMON_POOL_PARALLELISM,
                    Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors())));
        }
        // Exit explicitly: engine threads must never keep a finished (or failed) command alive.
        System.exit(new Cli(System.out, System.err).run(args));
    }
}
