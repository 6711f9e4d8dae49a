package dev.strata.node;

/**
 * Entry point of {@code strata-node.jar}: {@code java -jar strata-node.jar run <file.conf>}. Everything but
 * the process exit lives in {@link Cli}, so tests call it without exiting the JVM.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // Exit explicitly: engine threads must never keep a finished (or failed) command alive.
        System.exit(new Cli(System.out, System.err).run(args));
    }
}
