package io.github.edgeprune.device.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceListTest {

    @Test
    void aCommaListAndAPomListGiveTheSameDevicesInOrder() {
        List<DeviceList.Entry> fromProperty = DeviceList.parse(List.of("local, ssh://pi@192.168.1.20:2222 ,emulated-pi4"));
        List<DeviceList.Entry> fromPom = DeviceList.parse(List.of("local", "ssh://pi@192.168.1.20:2222", "emulated-pi4"));
        assertEquals(fromPom, fromProperty);
        assertEquals(List.of("local", "ssh://pi@192.168.1.20:2222", "emulated-pi4"),
                fromPom.stream().map(DeviceList.Entry::spec).toList());
        assertEquals(List.of("local", "pi@192.168.1.20_2222", "emulated-pi4"),
                fromPom.stream().map(DeviceList.Entry::folder).toList());
    }

    @Test
    void nothingNamedIsAnEmptyList() {
        assertTrue(DeviceList.parse(null).isEmpty());
        assertTrue(DeviceList.parse(Arrays.asList(" ", null, ",")).isEmpty());
    }

    @Test
    void aDeviceNamedTwiceIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceList.parse(List.of("local,ssh://pi@pi4,local")));
        assertEquals("prune.devices names local twice; name each device once", e.getMessage());
    }

    @Test
    void aBadEntryIsNamedWithWhatADeviceMayBe() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceList.parse(List.of("local,pi@raspberrypi")));
        assertTrue(e.getMessage().startsWith("prune.devices: each device must be `local`, `emulated-pi4` or"
                + " `ssh://user@host[:port]`"), e.getMessage());
        assertTrue(e.getMessage().contains("got 'pi@raspberrypi'") && e.getMessage().contains("Did you mean"
                + " ssh://pi@raspberrypi ?"), e.getMessage());
    }

    @Test
    void folderNamesStayUniqueWhenSpecsDifferOnlyInUnsafeCharacters() {
        // folder names are lower case (case-insensitive file systems), so Pi@ and pi@ would meet
        List<DeviceList.Entry> l = DeviceList.parse(List.of("ssh://Pi@[::1]:2222", "ssh://pi@[::1]:2222"));
        assertEquals(List.of("pi@___1__2222", "pi@___1__2222-2"), l.stream().map(DeviceList.Entry::folder).toList());
    }
}
