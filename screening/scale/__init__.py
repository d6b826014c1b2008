"""National volumes: screen a folder of Parquet files partitioned by site on a Dask cluster
(``screening screen --engine dask``), the same follow-up list as the pandas path, in bounded
memory.

- :func:`screen_folder` screens the folder and writes the list as a folder of Parquet files;
- :func:`write_partitioned` writes an upload (visits and interviews frames) in that layout;
- :func:`partitions` pairs a folder's visit and interview files;
- :func:`dask_client` gives the local cluster, or a client of an existing one.

Nothing here is imported unless asked for: dask starts heavy, and ``screening --help`` light.
"""

from screening.scale.cluster import dask_client
from screening.scale.folder import MANIFEST, FolderScreening, screen_folder
from screening.scale.layout import Partition, partitions, site_partition, write_partitioned

__all__ = ["MANIFEST", "FolderScreening", "Partition", "dask_client", "partitions",
           "screen_folder", "site_partition", "write_partitioned"]
