package dev.strata.node;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Layering rules over the main classes of every module this one depends on (protocol, config, worker-actor,
 * scheduler-actor, node): no package cycles and no package split across modules.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class ArchitectureTest {

    private JavaClasses mainClasses;

    @BeforeAll
    void importMainClasses() {
        mainClasses = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.strata");
        // Guards against an import that silently finds nothing (the rules below would then pass vacuously).
        for (String pkg : new String[] {"dev.strata.protocol", "dev.strata.config", "dev.strata.process",
                "dev.strata.scheduler", "dev.strata.ring", "dev.strata.node"}) {
            assertTrue(mainClasses.containPackage(pkg), "no main classes imported from " + pkg);
        }
    }

    @Test
    void packagesFormNoCycles() {
        slices().matching("dev.strata.(**)").should().beFreeOfCycles().check(mainClasses);
    }

    @Test
    void everyPackageLivesInOneModule() {
        Map<String, Set<String>> modulesByPackage = new TreeMap<>();
        for (JavaClass c : mainClasses) {
            c.getSource().ifPresent(source -> modulesByPackage
                    .computeIfAbsent(c.getPackageName(), p -> new TreeSet<>())
                    .add(moduleOf(source.getUri())));
        }
        Map<String, Set<String>> split = new TreeMap<>();
        modulesByPackage.forEach((pkg, modules) -> {
            if (modules.size() > 1) {
                split.put(pkg, modules);
            }
        });
        assertEquals(Map.of(), split, "packages declared in more than one module");
    }

    /**
     * The module a class file was read from: its path up to {@code /target/} (a reactor build reads other modules
     * from {@code target/classes} or their jar, depending on the phase), else the whole jar path.
     */
    private static String moduleOf(URI classFile) {
        String path = classFile.toString();
        int end = path.indexOf("/target/");
        if (end < 0) {
            end = path.indexOf("!/");
        }
        return end < 0 ? path : path.substring(0, end);
    }
}
