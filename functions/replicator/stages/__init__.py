"""One module per event the pipeline reacts to.

image_created    createimage.end for a source image  -> export to the staging bucket
export_completed exportimage.end                      -> manifests + cross-region copies
object_arrived   createobject in a landing bucket     -> import with CreateImage
import_completed createimage.end for a replica        -> shapes, tags, cleanup, done
"""
