def bundle = new File(basedir, 'target/prune/channels')
assert new File(bundle, 'weights.safetensors').isFile() : "no channel-pruned bundle: ${bundle.list()}"
def record = new groovy.json.JsonSlurper().parse(new File(bundle, 'prune.json'))
assert record.method == 'channels'
def c = record.channels
assert Math.abs(c.gflopsAfter / c.gflopsBefore - 0.6) <= 0.6 * 0.03 : "GFLOPs kept: ${c.gflopsAfter / c.gflopsBefore}"
assert c.parametersAfter < c.parametersBefore

def log = new File(basedir, 'build.log').text
assert log.contains('Channel pruning (bn-gamma, targetFlops 0.600, roundTo 8)') : 'no channel pruning summary in the log'
def summaries = (log =~ /YOLOv5n summary: \d+ layers, ([\d,]+) parameters/).collect { it[1].replace(',', '') as long }
assert summaries.size() >= 3 : "expected before/after/export summaries: ${summaries}"
assert summaries[1] < summaries[0] : "the after summary shows fewer parameters: ${summaries}"
assert summaries.last() == summaries[1] : "export-openvino exported the pruned model: ${summaries}"
def gflops = (log =~ /YOLOv5n summary: [^\n]*?([\d.]+) GFLOPs at/).collect { it[1] as double }
assert gflops.last() < gflops[0] : "the exported model has fewer GFLOPs than the dense one: ${gflops}"

def xml = new File(basedir, 'target/prune/openvino/yolov5n.xml')
assert xml.isFile() : 'no IR'
assert xml.text.contains('structure') && xml.text.contains('channels') : 'the IR does not record the channel pruning'
return true
