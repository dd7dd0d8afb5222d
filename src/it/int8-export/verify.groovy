import groovy.json.JsonSlurper

def xml = new File(basedir, 'target/prune/openvino/yolov5n.xml')
assert xml.isFile() : 'no IR'
def text = xml.text
assert text.contains('type="FakeQuantize"') : 'the IR has no FakeQuantize'
assert text.contains('element_type="i8"') : 'the IR has no int8 weights'
assert text.contains('<precision value="INT8"') : 'rt_info does not say INT8'
def bin = new File(basedir, 'target/prune/openvino/yolov5n.bin')
assert bin.length() < 2_500_000 : "an INT8 yolov5n .bin is about 1.9 MB, got ${bin.length()}"
assert new File(basedir, 'target/prune/openvino/yolov5n.onnx').isFile() : 'no ONNX twin'

def log = new File(basedir, 'build.log').text
assert log.contains('Calibrating INT8 ranges on 16 images') : 'no calibration progress in the log'
assert log.contains('INT8 QDQ') : 'the twin is not announced as INT8'
assert log.contains('yolov5n.xml: precision INT8') : 'evaluate does not name the precision'

def r = new JsonSlurper().parse(new File(basedir, 'target/prune/evaluate.json'))
assert r.model_precision == 'INT8'
assert r.images == 16
assert r.map50 > 0.3 : "an INT8 yolov5n still finds things in COCO images: map50 ${r.map50}"
return true
