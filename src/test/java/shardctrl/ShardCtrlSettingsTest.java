package shardctrl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import node.NodeSettings;
import org.junit.jupiter.api.Test;
import raft.rsm.GroupClient;

class ShardCtrlSettingsTest {
  @Test
  void referenceConfMatchesTheCodeDefaults() {
    var config = ConfigFactory.defaultReference();
    assertEquals(ShardCtrlSettings.defaults(), NodeSettings.shardCtrlSettings(config));
    assertEquals(GroupClient.Settings.defaults(), NodeSettings.shardCtrlClientSettings(config));
  }

  @Test
  void badValuesFailNamingTheSection() {
    var bad = ConfigFactory.parseString("raftkv.shardctrl.n-shards = 0").withFallback(ConfigFactory.defaultReference());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeSettings.shardCtrlSettings(bad));
    assertTrue(e.getMessage().contains("raftkv.shardctrl") && e.getMessage().contains("n-shards"), e.getMessage());
    var noWatch = ConfigFactory.parseString("raftkv.shardctrl.max-watch = 0s").withFallback(ConfigFactory.defaultReference());
    assertThrows(IllegalArgumentException.class, () -> NodeSettings.shardCtrlSettings(noWatch));
  }
}
