package io.github.edgeprune.device;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceSettingsTest {

    @Test
    void parsesLocalAndSshUris() {
        assertTrue(DeviceSettings.local().isLocal());
        DeviceSettings s = DeviceSettings.builder("ssh://pi@raspberrypi.local:2222").build();
        assertFalse(s.isLocal());
        assertEquals("pi", s.user());
        assertEquals("raspberrypi.local", s.host());
        assertEquals(2222, s.port());
        assertEquals("ssh://pi@raspberrypi.local:2222", s.display());
        DeviceSettings d = DeviceSettings.builder("ssh://10.0.0.7").build();
        assertEquals(22, d.port());
        assertEquals(System.getProperty("user.name"), d.user());
        DeviceSettings v6 = DeviceSettings.builder("ssh://pi@[fe80::1]:22").build();
        assertEquals("fe80::1", v6.host());
        assertEquals("ssh://pi@[fe80::1]:22", v6.display());
        assertEquals("root", DeviceSettings.builder("ssh://pi@h").user("root").build().user());
    }

    @Test
    void defaultsAreStrictTenSecondsAndTheUsersKnownHosts() {
        DeviceSettings s = DeviceSettings.builder("ssh://pi@h").userHome(Path.of("/home/me")).build();
        assertEquals(HostKeyPolicy.STRICT, s.hostKeyPolicy());
        assertEquals(Duration.ofSeconds(10), s.connectTimeout());
        assertEquals(Path.of("/home/me/.ssh/known_hosts"), s.knownHosts());
    }

    @Test
    void badDevicesAreRefusedWithTheExpectedForm() {
        for (String bad : List.of("pi@raspberrypi", "scp://pi@h", "ssh://", "ssh://pi@h/path", "")) {
            DeviceException e = assertThrows(DeviceException.class, () -> DeviceSettings.builder(bad).build(), bad);
            assertEquals(DeviceException.Kind.CONFIGURATION, e.kind());
            assertTrue(e.getMessage().startsWith("prune.device must be `local` or `ssh://user@host[:port]`"), e.getMessage());
        }
        assertTrue(assertThrows(DeviceException.class, () -> DeviceSettings.builder("pi@raspberrypi").build())
                .getMessage().contains("Did you mean ssh://pi@raspberrypi ?"));
    }

    @Test
    void aPasswordInTheUriIsRefusedAndNeverEchoed() {
        DeviceException e = assertThrows(DeviceException.class, () -> DeviceSettings.builder("ssh://pi:hunter2@h").build());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().contains("settings.xml"), e.getMessage());
        DeviceSettings s = DeviceSettings.builder("ssh://pi@h").password("hunter2").build();
        assertFalse(s.toString().contains("hunter2"));
    }

    @Test
    void hostKeyPolicyNames() {
        assertEquals(HostKeyPolicy.STRICT, HostKeyPolicy.parse("strict"));
        assertEquals(HostKeyPolicy.STRICT, HostKeyPolicy.parse("yes"));
        assertEquals(HostKeyPolicy.ACCEPT_NEW, HostKeyPolicy.parse("accept-new"));
        assertEquals(HostKeyPolicy.ACCEPT_NEW, HostKeyPolicy.parse("ACCEPT_NEW"));
        DeviceException e = assertThrows(DeviceException.class, () -> HostKeyPolicy.parse("no"));
        assertTrue(e.getMessage().contains("a changed host key is always refused"), e.getMessage());
    }

    @Test
    void timeoutsMustBePositive() {
        assertThrows(DeviceException.class, () -> DeviceSettings.builder("local").connectTimeout(Duration.ZERO));
        assertThrows(DeviceException.class, () -> DeviceSettings.builder("local").commandTimeout(Duration.ofSeconds(-1)));
    }

    @Test
    void shellQuotingSurvivesAnything() {
        assertEquals("plain/path-1.jar", Shell.quote("plain/path-1.jar"));
        assertEquals("''", Shell.quote(""));
        assertEquals("'it'\\''s'", Shell.quote("it's"));
        assertEquals("'$HOME `x` \"y\"'", Shell.quote("$HOME `x` \"y\""));
        assertEquals("java -cp 'a b.jar' Main", Shell.join(List.of("java", "-cp", "a b.jar", "Main")));
    }

    @Test
    void signalNamesAndExitDescriptions() {
        assertEquals("ILL", Signals.name(4));
        assertEquals("KILL", Signals.name(9));
        assertEquals("SIG40", Signals.name(40));
        assertEquals(11, Signals.number("SIGSEGV"));
        ExecResult r = ExecResult.fromShellStatus("x", 137, "", "", Duration.ZERO);
        assertEquals("KILL", r.signal());
        assertTrue(r.describeExit().contains("out-of-memory killer"), r.describeExit());
        assertEquals("exit 2", ExecResult.fromShellStatus("x", 2, "", "", Duration.ZERO).describeExit());
    }
}
