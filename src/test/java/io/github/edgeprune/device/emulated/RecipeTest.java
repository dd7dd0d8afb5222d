package io.github.edgeprune.device.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecipeTest {

    private final Recipe base = Recipe.PI4_BOOKWORM;

    @Test
    void cacheKeyIsStableAndNamesSuiteAndArch() {
        assertEquals(base.cacheKey(), new Recipe(base.version(), "bookworm", "arm64", "minbase", base.packages()).cacheKey());
        assertTrue(base.cacheKey().matches("bookworm-arm64-[0-9a-f]{16}"), base.cacheKey());
    }

    @Test
    void cacheKeyChangesWhenTheRecipeChanges() {
        List<String> more = new ArrayList<>(base.packages());
        more.add("python3");
        assertNotEquals(base.cacheKey(), base.withPackages(more).cacheKey(), "package added");
        assertNotEquals(base.cacheKey(), base.withPackages(base.packages().subList(1, base.packages().size())).cacheKey(),
                "package removed");
        assertNotEquals(base.cacheKey(), base.withVersion(base.version() + 1).cacheKey(), "recipe version");
        assertNotEquals(base.cacheKey(), base.withSuite("trixie").cacheKey(), "suite");
        assertNotEquals(base.cacheKey(), new Recipe(base.version(), base.suite(), "armhf", base.variant(), base.packages()).cacheKey(), "arch");
        assertNotEquals(base.cacheKey(), new Recipe(base.version(), base.suite(), base.arch(), "buildd", base.packages()).cacheKey(), "variant");
        List<String> pinned = new ArrayList<>(base.packages());
        pinned.set(0, pinned.get(0) + "=17.0.15+6-1~deb12u1");
        assertNotEquals(base.cacheKey(), base.withPackages(pinned).cacheKey(), "pinned version");
    }

    @Test
    void packageOrderAndDuplicatesDoNotMatter() {
        List<String> shuffled = new ArrayList<>(base.packages());
        java.util.Collections.reverse(shuffled);
        shuffled.add(shuffled.get(0));
        assertEquals(base.cacheKey(), base.withPackages(shuffled).cacheKey());
    }

    @Test
    void rejectsWhatCouldEscapeTheCommandLine() {
        assertThrows(IllegalArgumentException.class, () -> base.withPackages(List.of("openssh-server; rm -rf /")));
        assertThrows(IllegalArgumentException.class, () -> base.withPackages(List.of("--allow-unauthenticated")));
        assertThrows(IllegalArgumentException.class, () -> base.withSuite("../etc"));
    }

    @Test
    void theDefaultRecipeHasWhatTheDeviceFlowNeeds() {
        assertTrue(base.packages().containsAll(List.of("openjdk-17-jre-headless", "openssh-server", "procps")));
        assertEquals("arm64", base.arch());
    }
}
