import groovy.json.JsonSlurper

def json = new File(basedir, 'target/prune/evaluate.json')
assert json.isFile() : "evaluate.json was not written"
def r = new JsonSlurper().parse(json)
assert r.images == 16
assert r.imgsz == 320
assert r.instances > 0
for (key in ['precision', 'recall', 'map50', 'map50_95']) {
    assert r[key] instanceof Number && r[key] >= 0 && r[key] <= 1 : "${key} = ${r[key]}"
}
// yolov5n finds things in COCO images: a broken pipeline scores ~0
assert r.map50 > 0.3 : "map50 ${r.map50} is implausibly low for yolov5n on COCO128"
assert r.map50 >= r.map50_95
assert r.model.endsWith('yolov5n.pt')
def log = new File(basedir, 'build.log').text
assert log.contains('mAP50-95') : "the val.py-like table is missing from the build log"
assert log.contains('YOLOv5n summary: 157 layers, 1,867,405 parameters')
return true
