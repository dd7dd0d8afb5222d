// What the quickstart promises, checked by the plugin's integration tests (mvn verify at the repository root).
import groovy.json.JsonSlurper

def train = new File(basedir, 'target/prune/train')
def rows = new File(train, 'results.csv').readLines()
assert rows.size() == 101 : "results.csv has ${rows.size() - 1} epochs, expected 100"
for (plot in ['losses.png', 'metrics.png', 'sparsity.png']) {
    assert new File(train, plot).length() > 1000 : "${plot} is missing"
}
def record = new JsonSlurper().parse(new File(train, 'best/prune.json'))
assert record.method == 'dynamic' && record.schedule == 'epoch'
assert String.format('%.2f', record.convSparsity * 100) == '20.00'

def ir = new File(basedir, 'target/prune/openvino')
assert new File(ir, 'yolov5-tiny.xml').isFile() && new File(ir, 'yolov5-tiny.bin').isFile()
assert new File(ir, 'yolov5-tiny.onnx').isFile() && new File(ir, 'metadata.yaml').isFile()

def verify = new JsonSlurper().parse(new File(basedir, 'target/prune/reports/verify.json'))
assert verify.budgets.size() == 3 && verify.budgets.every { it.passed }
assert verify.map50 >= 0.4

def log = new File(basedir, 'build.log').text
assert log.contains('Dynamic pruning: Model pruned to 20.00% Conv2d global sparsity')
assert log =~ /mAP50\s+>= 0\.400\s+[0-9.]+\s+PASSED/ : 'the verdict table is missing'
assert log.contains('Report: ') && log.contains('verify.html')
return true
