package io.github.edgeprune.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.util.Log;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.shell.ProcessShellFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password login (a {@code <password>} from settings.xml). The OpenSSH server of
 * {@link SshDeviceTest} only takes keys (a password login there would need a system account with a
 * password), so this runs against Apache MINA's own SSH server in the test JVM, which checks the
 * password the client really sends over the SSH protocol and runs commands with /bin/sh.
 */
class SshPasswordLoginTest {

    static final String USER = "pi";
    static final String PASSWORD = "raspberry-\u00e9t\u00e9 'quoted'";

    @TempDir
    static Path tmp;

    static SshServer server;
    static final AtomicInteger passwordChecks = new AtomicInteger();

    @BeforeAll
    static void startServer() throws Exception {
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(tmp.resolve("host.key")));
        server.setPasswordAuthenticator((user, password, session) -> {
            passwordChecks.incrementAndGet();
            return USER.equals(user) && PASSWORD.equals(password);
        });
        server.setPublickeyAuthenticator((user, key, session) -> false);
        server.setCommandFactory((channel, command) ->
                new ProcessShellFactory(command, "/bin/sh", "-c", command).createShell(channel));
        server.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.stop(true);
        }
    }

    private static DeviceSettings.Builder settings(String knownHosts) throws Exception {
        Path emptyHome = Files.createDirectories(tmp.resolve("home-" + knownHosts));
        return DeviceSettings.builder("ssh://" + USER + "@127.0.0.1:" + server.getPort())
                .userHome(emptyHome) // no ~/.ssh keys: the password is the only credential
                .knownHosts(tmp.resolve(knownHosts))
                .hostKeyPolicy(HostKeyPolicy.ACCEPT_NEW)
                .serverId("pi");
    }

    @Test
    void thePasswordFromSettingsXmlLogsIn() throws Exception {
        int before = passwordChecks.get();
        try (Device d = Devices.open(settings("kh-ok").password(PASSWORD).build(), Log.silent())) {
            ExecResult r = d.run("echo logged in as $(id -un) >/dev/null; printf '%s' ok");
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals("ok", r.stdout());
        }
        assertTrue(passwordChecks.get() > before, "the server never checked a password");
    }

    @Test
    void aWrongPasswordIsRefusedWithWhatWasTriedAndHowToFixIt() throws Exception {
        DeviceSettings s = settings("kh-wrong").password("not-the-password").build();
        DeviceException e = assertThrows(DeviceException.class, () -> Devices.open(s, Log.silent()));
        assertEquals(DeviceException.Kind.AUTH_REFUSED, e.kind(), e.getMessage());
        String m = e.getMessage();
        assertTrue(m.contains("refused to log in " + USER), m);
        assertTrue(m.contains("password"), m);
        assertTrue(m.contains("settings.xml"), m);
        assertTrue(!m.contains("not-the-password"), "the message must not show the password: " + m);
    }
}
